//! Binary graph files (.kg): the only module that names bincode.
