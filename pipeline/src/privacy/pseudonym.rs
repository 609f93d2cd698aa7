//! Pseudonymous employee ids: HMAC-SHA256 of the HR id under the study's secret key, shortened to
//! 16 hex digits (64 bits: no collisions to expect below millions of employees). The same key
//! gives the same pseudonym in every run, so quarters can be compared; without the key the HR id
//! cannot be recovered or confirmed by guessing.

use sha2::{Digest, Sha256};

use crate::input::csvin::hex;

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// The pseudonym of an employee id.
pub fn pseudonym(key: &str, employee_id: &str) -> String {
    format!("p{}", &hex(&hmac_sha256(key.as_bytes(), employee_id.as_bytes()))[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn rfc4231_test_case_6_long_key() {
        let mac = hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(hex(&mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[test]
    fn pseudonyms_depend_on_the_key() {
        assert_eq!(pseudonym("k1-secret", "E1"), pseudonym("k1-secret", "E1"));
        assert_ne!(pseudonym("k1-secret", "E1"), pseudonym("k2-secret", "E1"));
        assert_eq!(pseudonym("k1-secret", "E1").len(), 17);
    }
}
