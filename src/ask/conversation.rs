//! Conversation state for follow-up questions, carried by the client in a
//! signed token: no database, works across server replicas that share the
//! index (the signing key lives in the index folder) and from the CLI.
//! Bounded in size (the last few turns, questions cut short) and in age.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Turns kept; older ones are dropped.
pub const MAX_TURNS: usize = 5;
/// Characters of a question kept in the token.
pub const MAX_QUESTION_CHARS: usize = 200;
/// A token older than this is refused.
pub const MAX_AGE_SECONDS: i64 = 24 * 60 * 60;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Turn {
    pub question: String,
    /// The commitment the answer was about, if any.
    pub commitment: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Conversation {
    pub turns: Vec<Turn>,
    /// Unix seconds when the token was issued.
    pub issued: i64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConversationError {
    #[error("the conversation token is malformed; start a new conversation")]
    Malformed,
    #[error("the conversation token does not verify; start a new conversation")]
    BadSignature,
    #[error("the conversation has expired; start a new conversation")]
    Expired,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|byte| byte ^ 0x36));
    inner.update(message);
    let inner_hash = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|byte| byte ^ 0x5c));
    outer.update(inner_hash);
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(&text[index..index + 2], 16).ok())
        .collect()
}

impl Conversation {
    /// The conversation with one more turn, oldest turns dropped.
    pub fn with_turn(&self, question: &str, commitment: Option<String>) -> Conversation {
        let mut turns = self.turns.clone();
        turns.push(Turn {
            question: question.chars().take(MAX_QUESTION_CHARS).collect(),
            commitment,
        });
        let excess = turns.len().saturating_sub(MAX_TURNS);
        turns.drain(..excess);
        Conversation {
            turns,
            issued: now(),
        }
    }

    /// `hex(json).hex(hmac)`.
    pub fn to_token(&self, key: &[u8]) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!("{}.{}", hex(&json), hex(&hmac(key, &json)))
    }

    pub fn from_token(token: &str, key: &[u8]) -> Result<Conversation, ConversationError> {
        let (body, signature) = token
            .trim()
            .split_once('.')
            .ok_or(ConversationError::Malformed)?;
        if body.len() > 16 * 1024 {
            return Err(ConversationError::Malformed);
        }
        let json = unhex(body).ok_or(ConversationError::Malformed)?;
        let signature = unhex(signature).ok_or(ConversationError::Malformed)?;
        let expected = hmac(key, &json);
        // compare without an early exit
        let difference = expected
            .iter()
            .zip(signature.iter().chain(std::iter::repeat(&0)))
            .fold(signature.len() ^ expected.len(), |acc, (a, b)| {
                acc | usize::from(a ^ b)
            });
        if difference != 0 {
            return Err(ConversationError::BadSignature);
        }
        let conversation: Conversation =
            serde_json::from_slice(&json).map_err(|_| ConversationError::Malformed)?;
        if now() - conversation.issued > MAX_AGE_SECONDS || conversation.turns.len() > MAX_TURNS {
            return Err(ConversationError::Expired);
        }
        Ok(conversation)
    }
}

/// A fresh random signing key, as hex.
pub fn new_key() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        let key = b"secret";
        let conversation = Conversation::default()
            .with_turn("did they hit the app target?", Some("abc-p-1-1".into()));
        let token = conversation.to_token(key);
        assert_eq!(
            Conversation::from_token(&token, key),
            Ok(conversation.clone())
        );
        assert_eq!(
            Conversation::from_token(&token, b"other"),
            Err(ConversationError::BadSignature)
        );
        let tampered = token.replacen('a', "b", 1);
        assert!(Conversation::from_token(&tampered, key).is_err());
        assert_eq!(
            Conversation::from_token("nonsense", key),
            Err(ConversationError::Malformed)
        );
        assert_eq!(
            Conversation::from_token("zz.zz", key),
            Err(ConversationError::Malformed)
        );
    }

    #[test]
    fn bounded_in_turns_and_age() {
        let mut conversation = Conversation::default();
        for index in 0..20 {
            conversation = conversation.with_turn(&"x".repeat(1000 + index), None);
        }
        assert_eq!(conversation.turns.len(), MAX_TURNS);
        assert!(
            conversation
                .turns
                .iter()
                .all(|turn| turn.question.chars().count() == MAX_QUESTION_CHARS)
        );
        let mut old = conversation.clone();
        old.issued -= MAX_AGE_SECONDS + 10;
        assert_eq!(
            Conversation::from_token(&old.to_token(b"k"), b"k"),
            Err(ConversationError::Expired)
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            hex(&hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
