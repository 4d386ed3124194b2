//! An INF file's bytes to text.
//!
//! Windows reads INF files as UTF-16 LE with a byte order mark (what Visual Studio's driver
//! templates and many stamped INFs are), or as 8-bit text; stampinf keeps the encoding of its
//! input. infcheck accepts UTF-16 (LE or BE) with its BOM, and UTF-8 with or without one (plain
//! ASCII is UTF-8).

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// A UTF-16 file with an odd number of bytes after its BOM.
    OddUtf16Length,
    /// A UTF-16 file with an unpaired surrogate at this code unit index.
    InvalidUtf16(usize),
    /// Neither a UTF-16 BOM nor valid UTF-8 (an ANSI code page file with non-ASCII bytes).
    NotUtf8(usize),
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::OddUtf16Length => write!(f, "UTF-16 text with an odd number of bytes"),
            Self::InvalidUtf16(unit) => {
                write!(f, "invalid UTF-16 (unpaired surrogate) at code unit {unit}")
            }
            Self::NotUtf8(byte) => write!(
                f,
                "not UTF-16 (no byte order mark) and not UTF-8 (invalid byte at offset {byte}); save the INF as UTF-16 LE with BOM or UTF-8"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The text of an INF file's `bytes`.
///
/// # Errors
/// [`DecodeError`] when the bytes are neither BOM-marked UTF-16 nor UTF-8.
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)
    } else {
        let rest = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        std::str::from_utf8(rest)
            .map(str::to_owned)
            .map_err(|e| DecodeError::NotUtf8(e.valid_up_to() + (bytes.len() - rest.len())))
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(DecodeError::OddUtf16Length);
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for (index, decoded) in char::decode_utf16(units).enumerate() {
        text.push(decoded.map_err(|_| DecodeError::InvalidUtf16(index))?);
    }
    Ok(text)
}
