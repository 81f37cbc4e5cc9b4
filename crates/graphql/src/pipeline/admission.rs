//! Stages 2–3: the document to run, checked on its text, then parsed and measured.
//! Nothing here reads the database: a refused request costs no statement.

use async_graphql::Variables;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use serde_json::{Map, Value};

use super::{GraphQlRequest, Pipeline, Refusal, Transport};
use crate::error::ErrorCode;
use crate::limits;

/// A request whose text passed: the document it runs, and what came with it.
#[derive(Debug)]
pub struct Checked {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Value,
    pub extensions: Map<String, Value>,
}

/// A request the gate lets through, parsed once: the executor receives this parse.
#[derive(Debug)]
pub struct Admitted {
    pub query: String,
    pub document: ExecutableDocument,
    pub operation_name: Option<String>,
    pub variables: Variables,
    pub extensions: Map<String, Value>,
    pub operation_type: OperationType,
    /// The requested cost (worst case: every page full).
    pub requested_cost: u64,
    /// The operation's metric label.
    pub label: String,
}

impl Pipeline {
    /// Both stages: what a transport without a response cache runs.
    pub async fn admit(
        &self,
        request: GraphQlRequest,
        transport: Transport,
    ) -> Result<Admitted, Refusal> {
        let checked = self.check_text(request).await?;
        self.check_document(checked, transport)
    }

    /// The document (persisted or sent), its size, tokens and nesting, the variables' shape.
    pub async fn check_text(&self, mut request: GraphQlRequest) -> Result<Checked, Refusal> {
        let query = self
            .persisted_document(request.query.take(), &request.extensions)
            .await?;
        let Some(query) = query else {
            return Err(Refusal::bad_request("The request has no `query`."));
        };
        limits::check_document_text(&self.limits, &query).map_err(Refusal::limit)?;
        limits::check_variables(&self.limits, &request.variables).map_err(Refusal::limit)?;
        Ok(Checked {
            query,
            operation_name: request.operation_name,
            variables: request.variables,
            extensions: request.extensions,
        })
    }

    /// The document a request runs ([`super::persisted`]): with Redis, a hash registered
    /// through any process of the deployment is known to all of them.
    async fn persisted_document(
        &self,
        query: Option<String>,
        extensions: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Option<String>, Refusal> {
        let Some(shared) = &self.shared else {
            return self.persisted.resolve(query, extensions);
        };
        let registering = query.is_some() && !self.persisted.trusted_only();
        match self.persisted.resolve(query, extensions) {
            Ok(Some(document)) => {
                if registering && let Some(hash) = super::persisted::requested_hash(extensions) {
                    shared.register_document(&hash, &document).await;
                }
                Ok(Some(document))
            }
            Err(refusal) if refusal.code == ErrorCode::PersistedQueryNotFound => {
                let Some(hash) = super::persisted::requested_hash(extensions) else {
                    return Err(refusal);
                };
                match shared.persisted_document(&hash).await {
                    Some(document) => {
                        self.persisted.register(hash, &document);
                        Ok(Some(document))
                    }
                    None => Err(refusal),
                }
            }
            other => other,
        }
    }

    /// The parse, the operation the transport may run, and the limits on the parse.
    pub fn check_document(
        &self,
        checked: Checked,
        transport: Transport,
    ) -> Result<Admitted, Refusal> {
        let document = async_graphql::parser::parse_query(&checked.query).map_err(|error| {
            let error = async_graphql::ServerError::from(error);
            let mut refusal = Refusal::new(ErrorCode::GraphqlParseFailed, error.message);
            refusal.locations = serde_json::to_value(&error.locations).ok().map(Box::new);
            refusal
        })?;
        let variables = Variables::from_json(checked.variables);
        let operation = limits::select_operation(&document, checked.operation_name.as_deref());
        let label = match (operation, &document.operations) {
            (None, _) => "unknown".to_owned(),
            (Some(_), DocumentOperations::Single(_)) => self.operation_label(None),
            (Some(_), DocumentOperations::Multiple(operations)) => self.operation_label(
                checked
                    .operation_name
                    .as_deref()
                    .or_else(|| operations.keys().next().map(|name| name.as_str())),
            ),
        };
        let Some(operation) = operation else {
            // The executor would refuse it the same way; refused here, it costs nothing.
            let message = match &checked.operation_name {
                Some(name) => format!("Unknown operation named \"{name}\""),
                None => "Operation name required in request.".to_owned(),
            };
            return Err(Refusal::new(ErrorCode::GraphqlValidationFailed, message));
        };
        let operation_type = operation.node.ty;
        // The limits first: a request gets the same refusal whatever carried it.
        let analysis = limits::analyze(
            &self.limits,
            &self.cost_model,
            &document,
            &operation.node,
            &variables,
        )
        .map_err(Refusal::limit)?;
        if analysis.introspection && !self.introspection {
            return Err(Refusal::new(
                ErrorCode::IntrospectionDisabled,
                "Introspection is switched off on this server.",
            ));
        }
        match (transport, operation_type) {
            (Transport::HttpGet, OperationType::Query)
            | (Transport::HttpPost, OperationType::Query | OperationType::Mutation)
            | (Transport::HttpStream, _)
            | (Transport::HttpGetStream, OperationType::Query | OperationType::Subscription)
            | (Transport::WebSocket, OperationType::Subscription) => {}
            (Transport::HttpPost, OperationType::Subscription) => {
                return Err(Refusal::new(
                    ErrorCode::OperationNotAllowed,
                    "A subscription streams its events: send it with `Accept: \
                     multipart/mixed;subscriptionSpec=1.0` or `Accept: text/event-stream`, or \
                     over /graphql/ws.",
                ));
            }
            (Transport::HttpGet | Transport::HttpGetStream, _) => {
                return Err(Refusal::new(
                    ErrorCode::MethodNotAllowed,
                    "Only queries may be sent with GET; send mutations with POST.",
                ));
            }
            (Transport::WebSocket, _) => {
                return Err(Refusal::new(
                    ErrorCode::OperationNotAllowed,
                    "Only subscriptions run over /graphql/ws; send queries and mutations with POST /graphql.",
                ));
            }
        }
        Ok(Admitted {
            requested_cost: analysis.requested_cost,
            query: checked.query,
            document,
            operation_name: checked.operation_name,
            variables,
            extensions: checked.extensions,
            operation_type,
            label,
        })
    }
}
