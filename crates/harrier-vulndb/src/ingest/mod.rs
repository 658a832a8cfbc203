//! Feed parsers (being written).
