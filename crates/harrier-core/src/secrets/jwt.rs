//! The claims of a JSON Web Token, decoded without verifying anything: enough to tell a
//! Kubernetes service-account token (its issuer and `kubernetes.io` claims) from other tokens.

/// The decoded payload (the claims' JSON text) of a token `header.payload.signature`, or
/// `None` when the payload is not base64url. Padding is accepted but not required.
pub fn jwt_payload(token: &[u8]) -> Option<Vec<u8>> {
    let payload = token.split(|&b| b == b'.').nth(1)?;
    decode_base64url(payload)
}

fn sextet(b: u8) -> Option<u32> {
    let v = match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'-' | b'+' => 62,
        b'_' | b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

fn decode_base64url(text: &[u8]) -> Option<Vec<u8>> {
    let text = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for chunk in text.chunks(4) {
        let mut acc = 0u32;
        for &b in chunk {
            acc = (acc << 6) | sextet(b)?;
        }
        let bytes = acc.to_be_bytes();
        match chunk.len() {
            4 => out.extend_from_slice(bytes.get(1..4)?),
            3 => out.extend_from_slice((acc << 6).to_be_bytes().get(1..3)?),
            2 => out.push(*(acc << 12).to_be_bytes().get(1)?),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_payloads() {
        let token = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(jwt_payload(token).unwrap(), br#"{"sub":"1234567890"}"#);
        assert_eq!(decode_base64url(b"TWE").unwrap(), b"Ma");
        assert_eq!(decode_base64url(b"TQ==").unwrap(), b"M");
        assert_eq!(decode_base64url(b"TWFu").unwrap(), b"Man");
        assert_eq!(decode_base64url(b"T"), None);
        assert_eq!(decode_base64url(b"T*Fu"), None);
        assert_eq!(jwt_payload(b"nodots"), None);
    }
}
