//! Runs of ASCII letters and digits, read eight bytes at a time: the word walks of the lexicon
//! and of the cue phrases spend most of their time finding where a word ends.

const ONES: u64 = 0x0101_0101_0101_0101;
const TOP: u64 = 0x8080_8080_8080_8080;

/// The top bit of each of eight bytes (little-endian) set when that byte is an ASCII letter or
/// digit, every other bit clear.
#[inline(always)]
fn alnum_bytes(x: u64) -> u64 {
    // With the top bits cleared, adding less than 129 to a byte never carries into the next:
    // the top bit of `v + (128 - lo)` says the byte is at least `lo`, of `v + (127 - hi)`
    // that it is above `hi`.
    let within = |v: u64, lo: u8, hi: u8| {
        v.wrapping_add(ONES * u64::from(128 - lo)) & !v.wrapping_add(ONES * u64::from(127 - hi))
    };
    let low = x & !TOP;
    let digit = within(low, b'0', b'9');
    // Setting bit 5 folds upper-case letters onto lower-case ones and no other byte onto them.
    let letter = within(low | (ONES * 0x20), b'a', b'z');
    // A byte with its top bit set is no ASCII byte at all.
    (digit | letter) & !x & TOP
}

/// How many ASCII letters and digits run from `bytes[from]` (0 when `from` is past the end).
#[inline]
pub fn alnum_run(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(eight) = bytes.get(i..i + 8) {
        let lanes: [u8; 8] = eight.try_into().unwrap_or([0; 8]);
        let found = alnum_bytes(u64::from_le_bytes(lanes));
        if found != TOP {
            return i - from + (!found & TOP).trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    let tail = bytes.get(i..).unwrap_or(&[]);
    i - from
        + tail
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn runs_stop_at_the_first_byte_that_is_no_letter_or_digit() {
        let text = "Ketamine2B blocks NMDA-receptors, é".as_bytes();
        assert_eq!(alnum_run(text, 0), 10);
        assert_eq!(alnum_run(text, 11), 6);
        assert_eq!(alnum_run(text, 10), 0);
        assert_eq!(alnum_run(text, 18), 4);
        assert_eq!(alnum_run(text, text.len()), 0);
        assert_eq!(alnum_run(text, text.len() + 3), 0);
    }

    proptest! {
        /// Eight bytes at a time agrees with one byte at a time, on any bytes.
        #[test]
        fn agrees_with_reading_byte_by_byte(
            bytes in prop::collection::vec(
                prop_oneof![
                    4 => prop::sample::select(b"azAZ09mQ5".to_vec()),
                    1 => any::<u8>(),
                ],
                0..40,
            ),
            from in 0..42usize,
        ) {
            let reference = bytes
                .get(from..)
                .map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count());
            prop_assert_eq!(alnum_run(&bytes, from), reference);
        }
    }
}
