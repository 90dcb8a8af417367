//! RSA key pairs for bots: what `feedctl init` offers to create and what
//! `feedctl serve --print-config --key-dir` writes for a test setup.

use std::path::{Path, PathBuf};

use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

/// Writes a fresh 2048-bit pair into `dir`: `bot-private.pem` (PKCS#8, mode 0600) and
/// `bot-public.pem`, the half to give to the pod admin. Refuses to overwrite an existing key.
pub fn generate_key_pair(dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let private_path = dir.join("bot-private.pem");
    let public_path = dir.join("bot-public.pem");
    for p in [&private_path, &public_path] {
        if p.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} exists; feedctl never overwrites a key", p.display()),
            ));
        }
    }
    let key =
        rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(std::io::Error::other)?;
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(std::io::Error::other)?;
    let public_pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(std::io::Error::other)?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    opts.open(&private_path)?
        .write_all(private_pem.as_bytes())?;
    std::fs::write(&public_path, public_pem)?;
    Ok((private_path, public_path))
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_a_usable_private_pair() {
        let dir = std::env::temp_dir().join(format!("feedctl-keys-{}", std::process::id()));
        let (private, public) = super::generate_key_pair(&dir).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let pem = std::fs::read_to_string(&private).unwrap();
        assert!(jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).is_ok());
        assert!(std::fs::read_to_string(&public)
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(super::generate_key_pair(&dir).is_err(), "never overwrites");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
