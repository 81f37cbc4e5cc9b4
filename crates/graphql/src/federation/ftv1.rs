//! Federated tracing (`ftv1`): when a router sends `apollo-federation-include-trace: ftv1`,
//! the response carries `extensions.ftv1`, a base64 protobuf `Trace` (Apollo's
//! `reports.proto`) with the timing of every resolved field, which the router merges into
//! its own query plan trace.

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
};
use async_graphql::{QueryPathSegment, Response, ServerResult, Value};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use prost::Message;

/// The header value a router sends to ask for a trace.
pub const INCLUDE_TRACE_HEADER: &str = "apollo-federation-include-trace";
pub const INCLUDE_TRACE_VALUE: &str = "ftv1";

/// The messages of Apollo's `reports.proto` that a subgraph trace uses (same field numbers).
pub mod proto {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Timestamp {
        #[prost(int64, tag = "1")]
        pub seconds: i64,
        #[prost(int32, tag = "2")]
        pub nanos: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Trace {
        #[prost(message, optional, tag = "4")]
        pub start_time: Option<Timestamp>,
        #[prost(message, optional, tag = "3")]
        pub end_time: Option<Timestamp>,
        #[prost(uint64, tag = "11")]
        pub duration_ns: u64,
        #[prost(message, optional, tag = "14")]
        pub root: Option<Node>,
    }

    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum NodeId {
        #[prost(string, tag = "1")]
        ResponseName(String),
        #[prost(uint32, tag = "2")]
        Index(u32),
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Node {
        #[prost(oneof = "NodeId", tags = "1, 2")]
        pub id: Option<NodeId>,
        #[prost(string, tag = "14")]
        pub original_field_name: String,
        #[prost(string, tag = "3")]
        pub r#type: String,
        #[prost(string, tag = "13")]
        pub parent_type: String,
        /// Nanoseconds since the trace started.
        #[prost(uint64, tag = "8")]
        pub start_time: u64,
        #[prost(uint64, tag = "9")]
        pub end_time: u64,
        #[prost(message, repeated, tag = "11")]
        pub error: Vec<Error>,
        #[prost(message, repeated, tag = "12")]
        pub child: Vec<Node>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Error {
        #[prost(string, tag = "1")]
        pub message: String,
        #[prost(string, tag = "4")]
        pub json: String,
    }
}

/// Adds `extensions.ftv1` to every response of the schema it is registered on: the
/// server registers it on a second schema that serves only requests that ask for traces.
pub struct FederatedTracing;

impl ExtensionFactory for FederatedTracing {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TracingExtension {
            started: Instant::now(),
            fields: Mutex::new(Vec::new()),
        })
    }
}

/// One resolved field: its path from the root (names and list indices) and its timing.
struct FieldTiming {
    path: Vec<PathPart>,
    field_name: String,
    return_type: String,
    parent_type: String,
    start_ns: u64,
    end_ns: u64,
    error: Option<String>,
}

#[derive(Clone, PartialEq, Eq)]
enum PathPart {
    Name(String),
    Index(u32),
}

struct TracingExtension {
    started: Instant,
    fields: Mutex<Vec<FieldTiming>>,
}

fn timestamp(at: SystemTime) -> proto::Timestamp {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    proto::Timestamp {
        seconds: since.as_secs() as i64,
        nanos: since.subsec_nanos() as i32,
    }
}

fn child_position(children: &[proto::Node], id: &proto::NodeId) -> Option<usize> {
    children.iter().position(|c| c.id.as_ref() == Some(id))
}

/// Finds (or makes) the node at `path` under `root`.
fn node_at<'a>(root: &'a mut proto::Node, path: &[PathPart]) -> &'a mut proto::Node {
    let Some((first, rest)) = path.split_first() else {
        return root;
    };
    let id = match first {
        PathPart::Name(n) => proto::NodeId::ResponseName(n.clone()),
        PathPart::Index(i) => proto::NodeId::Index(*i),
    };
    let index = match child_position(&root.child, &id) {
        Some(i) => i,
        None => {
            root.child.push(proto::Node {
                id: Some(id),
                ..proto::Node::default()
            });
            root.child.len() - 1
        }
    };
    node_at(&mut root.child[index], rest)
}

impl TracingExtension {
    fn elapsed_ns(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn build_trace(&self, start: SystemTime, duration_ns: u64) -> proto::Trace {
        let mut root = proto::Node::default();
        let mut fields = self
            .fields
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default();
        // Parents before children, so every node is placed under an existing parent.
        fields.sort_by_key(|f| f.path.len());
        for field in fields {
            let node = node_at(&mut root, &field.path);
            node.original_field_name =
                if field.path.last() == Some(&PathPart::Name(field.field_name.clone())) {
                    String::new()
                } else {
                    field.field_name
                };
            node.r#type = field.return_type;
            node.parent_type = field.parent_type;
            node.start_time = field.start_ns;
            node.end_time = field.end_ns;
            if let Some(message) = field.error {
                node.error.push(proto::Error {
                    json: serde_json::json!({ "message": message }).to_string(),
                    message,
                });
            }
        }
        proto::Trace {
            start_time: Some(timestamp(start)),
            end_time: Some(timestamp(
                start + std::time::Duration::from_nanos(duration_ns),
            )),
            duration_ns,
            root: Some(root),
        }
    }
}

#[async_trait::async_trait]
impl Extension for TracingExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let start = SystemTime::now();
        let mut response = next.run(ctx, operation_name).await;
        let trace = self.build_trace(start, self.elapsed_ns());
        let encoded = STANDARD.encode(trace.encode_to_vec());
        response
            .extensions
            .insert("ftv1".to_owned(), Value::String(encoded));
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.is_for_introspection {
            return next.run(ctx, info).await;
        }
        let mut path = Vec::new();
        let mut node = Some(info.path_node);
        while let Some(n) = node {
            path.push(match n.segment {
                QueryPathSegment::Name(name) => PathPart::Name(name.to_owned()),
                QueryPathSegment::Index(i) => PathPart::Index(u32::try_from(i).unwrap_or(u32::MAX)),
            });
            node = n.parent;
        }
        path.reverse();
        let field_name = info.name.to_owned();
        let return_type = info.return_type.to_owned();
        let parent_type = info.parent_type.to_owned();
        let start_ns = self.elapsed_ns();
        let result = next.run(ctx, info).await;
        let timing = FieldTiming {
            path,
            field_name,
            return_type,
            parent_type,
            start_ns,
            end_ns: self.elapsed_ns(),
            error: result.as_ref().err().map(|e| e.message.clone()),
        };
        if let Ok(mut fields) = self.fields.lock() {
            fields.push(timing);
        }
        result
    }
}
