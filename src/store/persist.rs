//! Binary graph files (.kg): the only module that names bincode.
//!
//! A file is a 20-byte header, a bincode payload and a CRC-32 trailer:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `PHARMAKG` |
//! | 4 | format version, u32 little-endian |
//! | 8 | payload length, u64 little-endian |
//! | n | payload: [`GraphRecords`] in bincode's standard configuration |
//! | 4 | CRC-32 of the header and the payload, u32 little-endian |
//!
//! The payload is written by serde (the model's `Serialize` derives, through bincode's serde
//! support) and read back by bincode's own decoding traits (module `read`), which cost a few
//! integer reads per edge where serde's visitors cost several times more. Tests check that
//! every graph reads back as it was written.
//!
//! Loading checks the magic, the version, the length against the file's real size and the
//! checksum before it decodes anything. The reader copies a string only once its bytes are
//! known to be in the payload, caps what a list's claimed length reserves, and refuses
//! property values nested more than 64 levels deep, so a damaged or hostile file is refused
//! without a large allocation or a stack overflow. Nodes and edges go through the bulk
//! builder's checks, so every symbol and endpoint is verified. Saving writes a temporary file
//! beside the target, syncs it and renames it over the target, so a crash leaves the old file
//! or the new one, never a mix.

mod read;
mod view;

use crate::error::Error;
use crate::store::bulk::Unfinished;
use crate::store::{Graph, GraphRecords};
use bincode::de::BorrowDecode;
use serde::Serialize;
use std::io::{Read, Write};
use std::path::Path;

/// The format version this build writes; files of a newer version are refused.
pub const FORMAT_VERSION: u32 = 1;

/// The bytes every .kg file starts with.
pub const MAGIC: &[u8; 8] = b"PHARMAKG";

/// Length of the header: magic, version, payload length.
pub const HEADER_LEN: usize = 8 + 4 + 8;

/// Length of the checksum trailer.
const TRAILER_LEN: usize = 4;

/// The largest payload this build accepts: 1 TiB, or what the address space allows.
const MAX_PAYLOAD: u64 = if (usize::MAX as u64) < (1 << 40) {
    usize::MAX as u64
} else {
    1 << 40
};

/// What a .kg file's header says, for `stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The format version the file was written with.
    pub version: u32,
    /// The file's size in bytes.
    pub size: u64,
}

/// The checked header of a file of the current format.
struct Header {
    payload_len: usize,
}

fn file_error(path: &Path, message: impl Into<String>) -> Error {
    Error::File {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Checks the header at the start of `prefix`, given the whole file's real size. Order
/// matters: a foreign file is named as such before anything else, and a newer version is
/// refused before its length or checksum are judged, since a later format may lay them out
/// differently.
fn check_header(prefix: &[u8], actual_len: u64) -> Result<Header, String> {
    let magic_part = &prefix[..prefix.len().min(MAGIC.len())];
    if magic_part != &MAGIC[..magic_part.len()] {
        return Err("not a pharmakg graph file (.kg): wrong magic bytes".into());
    }
    if actual_len == 0 {
        return Err("truncated: the file is empty".into());
    }
    if prefix.len() < HEADER_LEN {
        return Err(format!(
            "truncated: the header needs {HEADER_LEN} bytes, the file has {actual_len}"
        ));
    }
    let version = u32::from_le_bytes(prefix[8..12].try_into().unwrap_or_default());
    if version > FORMAT_VERSION {
        return Err(format!(
            "written by a newer pharmakg, format version {version}; this build reads up to {FORMAT_VERSION}"
        ));
    }
    if version == 0 {
        return Err("corrupted: format version 0 does not exist".into());
    }
    let payload_len = u64::from_le_bytes(prefix[12..20].try_into().unwrap_or_default());
    if payload_len > MAX_PAYLOAD {
        return Err(format!(
            "corrupted: the header claims a payload of {payload_len} bytes"
        ));
    }
    let expected = payload_len + (HEADER_LEN + TRAILER_LEN) as u64;
    if actual_len < expected {
        return Err(format!(
            "truncated: expected {expected} bytes, the file has {actual_len}"
        ));
    }
    if actual_len > expected {
        return Err(format!(
            "trailing bytes: expected {expected} bytes, the file has {actual_len}"
        ));
    }
    let payload_len = usize::try_from(payload_len)
        .map_err(|_| format!("the payload of {payload_len} bytes is too large for this machine"))?;
    Ok(Header { payload_len })
}

/// Serialises records (or a view that serialises the same way) with bincode's standard
/// configuration (little-endian, variable-length integers), which the format fixes. The payload
/// is written straight after a header whose length field is filled in afterwards.
fn encode<T: Serialize>(records: &T) -> Result<Vec<u8>, bincode::error::EncodeError> {
    let mut bytes = Vec::with_capacity(1 << 16);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes());
    bincode::serde::encode_into_std_write(records, &mut bytes, bincode::config::standard())?;
    let payload_len = (bytes.len() - HEADER_LEN) as u64;
    bytes[12..HEADER_LEN].copy_from_slice(&payload_len.to_le_bytes());
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    Ok(bytes)
}

/// Decodes a payload with bincode's standard configuration, returning what was read and how
/// many bytes it took. No byte limit is needed: the reader (module `read`) never allocates
/// more than the payload's own bytes justify. A refusal by the store is reported in its own
/// words; anything else is a decoding error.
fn decode<'de, T>(payload: &'de [u8], origin: &Path) -> Result<(T, usize), Error>
where
    T: for<'s> BorrowDecode<'de, &'s mut read::ReadState>,
{
    let mut state = read::ReadState::for_payload(payload.len());
    let decoded = bincode::borrow_decode_from_slice_with_context(
        payload,
        bincode::config::standard(),
        &mut state,
    );
    if let Some(e) = state.refused {
        return Err(file_error(origin, e.to_string()));
    }
    decoded.map_err(|e| file_error(origin, format!("cannot decode the graph: {e}")))
}

/// Serialises a graph to the bytes of a .kg file. The same graph always gives the same bytes.
pub fn to_bytes(graph: &Graph) -> Vec<u8> {
    // Every part of the records is a plain struct, sequence or sorted map with a known length,
    // which bincode always encodes; a failure would be a bug in this module, not bad input.
    encode(&view::RecordsView::of(graph)).expect("graph records always encode")
}

/// Serialises records as they are, without checking them, to the bytes of a .kg file: for
/// tests and tools that need a well-formed file holding given (possibly invalid) records.
pub fn records_to_bytes(records: &GraphRecords) -> Vec<u8> {
    encode(records).expect("graph records always encode")
}

/// Reads a graph from the bytes of a .kg file; `origin` names the file in error messages.
/// Edges go into the graph as they are decoded (module `read`), so loading needs no second
/// copy of them.
pub fn from_bytes(bytes: &[u8], origin: &Path) -> Result<Graph, Error> {
    Ok(decode_graph(bytes, origin)?.finish())
}

/// Checks and decodes a file's bytes into a graph whose adjacency is still to be laid out.
fn decode_graph(bytes: &[u8], origin: &Path) -> Result<Unfinished, Error> {
    let payload = checked_payload(bytes, origin)?;
    let (read::GraphPayload(graph), used) = decode(payload, origin)?;
    check_used(payload, used, origin)?;
    Ok(graph)
}

/// Checks and decodes the bytes of a .kg file into records, without building a graph: for
/// tools that only read the records.
pub fn records_from_bytes(bytes: &[u8], origin: &Path) -> Result<GraphRecords, Error> {
    let payload = checked_payload(bytes, origin)?;
    let (read::RecordsPayload(records), used) = decode(payload, origin)?;
    check_used(payload, used, origin)?;
    Ok(records)
}

/// The payload of a file whose header, size and checksum are right.
fn checked_payload<'b>(bytes: &'b [u8], origin: &Path) -> Result<&'b [u8], Error> {
    let header =
        check_header(bytes, bytes.len() as u64).map_err(|message| file_error(origin, message))?;
    let body_end = HEADER_LEN + header.payload_len;
    let stored = u32::from_le_bytes(
        bytes[body_end..body_end + TRAILER_LEN]
            .try_into()
            .unwrap_or_default(),
    );
    let computed = crc32fast::hash(&bytes[..body_end]);
    if stored != computed {
        return Err(file_error(
            origin,
            format!("corrupted: checksum mismatch (stored {stored:08x}, computed {computed:08x})"),
        ));
    }
    Ok(&bytes[HEADER_LEN..body_end])
}

/// Refuses a payload with bytes after the records: the header and the content disagree.
fn check_used(payload: &[u8], used: usize, origin: &Path) -> Result<(), Error> {
    if used == payload.len() {
        Ok(())
    } else {
        Err(file_error(
            origin,
            format!(
                "corrupted: {} unused bytes at the end of the payload",
                payload.len() - used
            ),
        ))
    }
}

/// Saves a graph atomically: a temporary file in the same folder, synced, then renamed.
pub fn save(graph: &Graph, path: &Path) -> Result<(), Error> {
    let bytes = encode(&view::RecordsView::of(graph))
        .map_err(|e| file_error(path, format!("cannot encode the graph: {e}")))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = temp_builder(path).tempfile_in(dir).map_err(|e| {
        file_error(
            path,
            format!("cannot create a temporary file in {}: {e}", dir.display()),
        )
    })?;
    let write = |tmp: &mut tempfile::NamedTempFile| -> std::io::Result<()> {
        tmp.write_all(&bytes)?;
        tmp.flush()?;
        tmp.as_file().sync_all()
    };
    write(&mut tmp).map_err(|e| file_error(path, format!("cannot write: {e}")))?;
    tmp.persist(path)
        .map_err(|e| file_error(path, format!("cannot replace the file: {}", e.error)))?;
    // The rename is durable only once the folder itself is synced; some platforms cannot open
    // a folder for that, and the data is already safe in the file, so a failure is ignored.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// How the temporary file is made: a hidden name beside the target, and the target's
/// permissions (or, for a new file, ordinary read-write-for-owner, read-for-others ones rather
/// than the temporary file's private default).
fn temp_builder(path: &Path) -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pharmakg-").suffix(".tmp");
    if let Ok(meta) = std::fs::metadata(path) {
        builder.permissions(meta.permissions());
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
    }
    builder
}

/// Opens a file and reads its first `HEADER_LEN` bytes (fewer if the file is shorter), with the
/// file's size.
fn read_prefix(path: &Path) -> Result<(std::fs::File, Vec<u8>, u64), Error> {
    let mut file =
        std::fs::File::open(path).map_err(|e| file_error(path, format!("cannot open: {e}")))?;
    let size = file
        .metadata()
        .map_err(|e| file_error(path, format!("cannot read metadata: {e}")))?
        .len();
    let mut prefix = Vec::with_capacity(HEADER_LEN);
    (&mut file)
        .take(HEADER_LEN as u64)
        .read_to_end(&mut prefix)
        .map_err(|e| file_error(path, format!("cannot read: {e}")))?;
    Ok((file, prefix, size))
}

/// Loads a graph from a .kg file; refuses damaged, truncated, foreign or newer files.
pub fn load(path: &Path) -> Result<Graph, Error> {
    let (mut file, prefix, size) = read_prefix(path)?;
    // The header is judged against the file's size before the payload buffer is allocated, so
    // a forged length costs nothing.
    let header = check_header(&prefix, size).map_err(|message| file_error(path, message))?;
    let expected = HEADER_LEN + header.payload_len + TRAILER_LEN;
    let mut bytes = Vec::with_capacity(expected);
    bytes.extend_from_slice(&prefix);
    // One byte more than expected tells a file that grew since its size was read.
    (&mut file)
        .take((expected - prefix.len()) as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| file_error(path, format!("cannot read: {e}")))?;
    let unfinished = decode_graph(&bytes, path)?;
    // The file's bytes go before the adjacency is laid out, the step that needs the most room.
    drop(bytes);
    Ok(unfinished.finish())
}

/// Reads a .kg file's header without loading the graph. A file of a newer version is
/// described, not refused, so that `stats` can say which version it is.
pub fn file_info(path: &Path) -> Result<FileInfo, Error> {
    let (_, prefix, size) = read_prefix(path)?;
    match check_header(&prefix, size) {
        Ok(_) => Ok(FileInfo {
            version: FORMAT_VERSION,
            size,
        }),
        Err(message) => {
            let version = prefix
                .get(8..12)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes);
            match version {
                Some(version) if version > FORMAT_VERSION && prefix.starts_with(MAGIC) => {
                    Ok(FileInfo { version, size })
                }
                _ => Err(file_error(path, message)),
            }
        }
    }
}
