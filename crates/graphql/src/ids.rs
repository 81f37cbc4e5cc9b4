//! Opaque identifiers: global node ids and pagination cursors.
//!
//! Both are base64url text that clients must not parse. Node ids are built on natural
//! keys (`Objective:22`, `Country:MEX`, `Resource:<slug>`), so they survive re-imports.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;

/// The types `node(id:)` can resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Objective,
    Action,
    GuidanceSource,
    GuidingPrinciple,
    Region,
    Country,
    DocumentType,
    Instrument,
    Resource,
    Event,
    Project,
}

impl NodeType {
    const ALL: [NodeType; 11] = [
        NodeType::Objective,
        NodeType::Action,
        NodeType::GuidanceSource,
        NodeType::GuidingPrinciple,
        NodeType::Region,
        NodeType::Country,
        NodeType::DocumentType,
        NodeType::Instrument,
        NodeType::Resource,
        NodeType::Event,
        NodeType::Project,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NodeType::Objective => "Objective",
            NodeType::Action => "Action",
            NodeType::GuidanceSource => "GuidanceSource",
            NodeType::GuidingPrinciple => "GuidingPrinciple",
            NodeType::Region => "Region",
            NodeType::Country => "Country",
            NodeType::DocumentType => "DocumentType",
            NodeType::Instrument => "Instrument",
            NodeType::Resource => "Resource",
            NodeType::Event => "Event",
            NodeType::Project => "Project",
        }
    }
}

pub fn node_id(kind: NodeType, key: &str) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", kind.name())))
}

/// Splits a node id into its type and natural key; anything else is `BAD_USER_INPUT`.
pub fn parse_node_id(id: &str) -> Result<(NodeType, String), ApiError> {
    let invalid = || ApiError::bad_input(format!("{id:?} is not a node id of this API"));
    if id.len() > 1024 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, key) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeType::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(invalid)?;
    if key.is_empty() || gcm_domain::text::check_key("the id", key).is_err() {
        return Err(invalid());
    }
    Ok((kind, key.to_owned()))
}

/// Encodes a cursor: a small JSON value, base64url.
pub fn encode_cursor(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

pub fn decode_cursor(cursor: &str) -> Result<serde_json::Value, ApiError> {
    let invalid = || ApiError::InvalidCursor(format!("{cursor:?} is not a cursor of this list"));
    if cursor.len() > 4096 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_round_trip_and_reject_garbage() {
        let id = node_id(NodeType::Country, "MEX");
        assert_eq!(
            parse_node_id(&id).ok(),
            Some((NodeType::Country, "MEX".to_owned()))
        );
        for bad in [
            "",
            "!!!",
            "Q291bnRyeQ",
            &URL_SAFE_NO_PAD.encode("Nope:1"),
            &URL_SAFE_NO_PAD.encode("Country:"),
        ] {
            assert!(parse_node_id(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn cursors_reject_garbage() {
        assert!(decode_cursor("not base64 at all!").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("{not json")).is_err());
        let c = encode_cursor(&serde_json::json!(["G", 1, 2, 3]));
        assert_eq!(
            decode_cursor(&c).ok(),
            Some(serde_json::json!(["G", 1, 2, 3]))
        );
    }
}
