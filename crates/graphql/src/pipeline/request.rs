//! One GraphQL request as a transport decoded it (a JSON body, a URL's parameters, a
//! WebSocket `subscribe` payload): checked for shape only, nothing parsed yet.

use serde_json::{Map, Value};

use super::Refusal;

#[derive(Debug, Default, Clone)]
pub struct GraphQlRequest {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    /// An object, or `Null` when none was sent.
    pub variables: Value,
    pub extensions: Map<String, Value>,
}

impl GraphQlRequest {
    /// From the JSON object of a POST body, a batch's member or a `subscribe` payload.
    pub fn from_json(value: Value) -> Result<Self, Refusal> {
        let Value::Object(mut map) = value else {
            return Err(Refusal::bad_request(
                "The request body must be a JSON object (or an array of them for a batch).",
            ));
        };
        let query = match map.remove("query") {
            None | Some(Value::Null) => None,
            Some(Value::String(query)) => Some(query),
            Some(_) => return Err(Refusal::bad_request("`query` must be a string.")),
        };
        let operation_name = match map.remove("operationName") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name),
            Some(_) => return Err(Refusal::bad_request("`operationName` must be a string.")),
        };
        let variables = match map.remove("variables") {
            None | Some(Value::Null) => Value::Null,
            Some(variables @ Value::Object(_)) => variables,
            Some(_) => return Err(Refusal::bad_request("`variables` must be an object.")),
        };
        let extensions = match map.remove("extensions") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(extensions)) => extensions,
            Some(_) => return Err(Refusal::bad_request("`extensions` must be an object.")),
        };
        Ok(Self {
            query,
            operation_name,
            variables,
            extensions,
        })
    }

    /// From a GET's parameters: `variables` and `extensions` are JSON texts.
    pub fn from_parameters(parameter: impl Fn(&str) -> Option<String>) -> Result<Self, Refusal> {
        let json_parameter = |name: &str| -> Result<Value, Refusal> {
            match parameter(name).as_deref() {
                None | Some("") => Ok(Value::Null),
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| Refusal::bad_request(format!("`{name}` must be JSON: {e}"))),
            }
        };
        let mut object = Map::new();
        if let Some(query) = parameter("query") {
            object.insert("query".into(), Value::String(query));
        }
        if let Some(name) = parameter("operationName").filter(|name| !name.is_empty()) {
            object.insert("operationName".into(), Value::String(name));
        }
        object.insert("variables".into(), json_parameter("variables")?);
        object.insert("extensions".into(), json_parameter("extensions")?);
        Self::from_json(Value::Object(object))
    }
}
