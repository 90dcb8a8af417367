//! Login for the emulated pod: RS512 JWTs checked against the bot's public key (or any key with
//! `--accept-any-key`), and the session and key manager tokens it hands out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use rand::distributions::Alphanumeric;
use rand::Rng;

/// How the pod checks login JWTs.
pub enum KeyCheck {
    PublicKey(Box<jsonwebtoken::DecodingKey>),
    AcceptAny,
}

#[derive(Debug, Clone)]
pub struct SessionUser {
    pub username: String,
    pub skd: bool,
}

pub struct Sessions {
    key: KeyCheck,
    skd: bool,
    session_tokens: Mutex<Issued<SessionUser>>,
    km_tokens: Mutex<Issued<String>>,
}

/// How many tokens of each kind stay valid: a bot that logs in again and again keeps serve's
/// memory bounded; the oldest token is forgotten first (its bearer gets 401 and logs in again,
/// as on a pod whose session expired).
const MAX_TOKENS: usize = 10_000;

/// Tokens handed out, the oldest forgotten past `MAX_TOKENS`.
struct Issued<V> {
    by_token: HashMap<String, V>,
    order: std::collections::VecDeque<String>,
}

impl<V> Default for Issued<V> {
    fn default() -> Self {
        Issued {
            by_token: HashMap::new(),
            order: std::collections::VecDeque::new(),
        }
    }
}

impl<V> Issued<V> {
    fn insert(&mut self, token: String, value: V) {
        if self.order.len() >= MAX_TOKENS {
            if let Some(old) = self.order.pop_front() {
                self.by_token.remove(&old);
            }
        }
        self.order.push_back(token.clone());
        self.by_token.insert(token, value);
    }

    fn get(&self, token: &str) -> Option<&V> {
        self.by_token.get(token)
    }

    fn keys(&self) -> impl Iterator<Item = &String> {
        self.by_token.keys()
    }
}

/// The pod's limit on how far ahead a login JWT may expire (5 minutes), plus clock skew.
const MAX_EXP_AHEAD: u64 = 300 + 30;

impl Sessions {
    pub fn new(key: KeyCheck, skd: bool) -> Self {
        Sessions {
            key,
            skd,
            session_tokens: Default::default(),
            km_tokens: Default::default(),
        }
    }

    /// Checks a login JWT and returns its subject (the username), or why it is refused.
    pub fn verify_jwt(&self, jwt: &str) -> Result<String, String> {
        let header = jsonwebtoken::decode_header(jwt)
            .map_err(|e| format!("malformed authentication token: {e}"))?;
        if header.alg != jsonwebtoken::Algorithm::RS512 {
            return Err(format!(
                "the authentication token must be signed with RS512, not {:?}",
                header.alg
            ));
        }
        #[derive(serde::Deserialize)]
        struct Claims {
            sub: String,
            exp: u64,
        }
        let claims: Claims = match &self.key {
            KeyCheck::PublicKey(key) => {
                let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS512);
                v.set_required_spec_claims(&["exp", "sub"]);
                v.leeway = 5;
                jsonwebtoken::decode::<Claims>(jwt, key, &v)
                    .map_err(|e| format!("invalid authentication token: {e}"))?
                    .claims
            }
            KeyCheck::AcceptAny => {
                let payload = jwt
                    .split('.')
                    .nth(1)
                    .ok_or("malformed authentication token")?;
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(payload)
                    .map_err(|_| "malformed authentication token".to_string())?;
                serde_json::from_slice(&bytes)
                    .map_err(|e| format!("the token needs `sub` and `exp` claims: {e}"))?
            }
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if claims.exp + 5 < now {
            return Err("the authentication token has expired".into());
        }
        if claims.exp > now + MAX_EXP_AHEAD {
            return Err("the authentication token expires more than 5 minutes from now".into());
        }
        if claims.sub.is_empty() {
            return Err("the authentication token has an empty `sub`".into());
        }
        Ok(claims.sub)
    }

    /// Issues a session token: a well-formed JWT (canonical base64url in all three parts, so
    /// strict decoders such as PyJWT accept it), so clients can read `canUseSimplifiedKeyDelivery`.
    pub fn issue_session(&self, username: &str) -> String {
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let token = format!(
            "{}.{}.{}",
            b64(serde_json::json!({"alg": "RS512", "typ": "JWT"})),
            b64(
                serde_json::json!({"sub": username, "canUseSimplifiedKeyDelivery": self.skd, "jti": random(16)})
            ),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(256))
        );
        self.session_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                token.clone(),
                SessionUser {
                    username: username.to_string(),
                    skd: self.skd,
                },
            );
        token
    }

    pub fn issue_km(&self, username: &str) -> String {
        let token = format!("0100{}", random(60));
        self.km_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), username.to_string());
        token
    }

    pub fn session(&self, token: &str) -> Option<SessionUser> {
        self.session_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    pub fn km_user(&self, token: &str) -> Option<String> {
        self.km_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    /// Every token handed out so far (for tests that check none leaks into output).
    pub fn issued_tokens(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .session_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        all.extend(
            self.km_tokens
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .keys()
                .cloned(),
        );
        all
    }
}

/// As many random bytes as an RS512 signature of a 2048-bit key has.
fn random_bytes(n: usize) -> Vec<u8> {
    let mut rng = rand::thread_rng();
    (0..n).map(|_| rng.gen()).collect()
}

fn random(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}
