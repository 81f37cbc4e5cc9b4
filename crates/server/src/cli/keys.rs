//! `gcm-catalogue keys`: the API keys of the curation API.

use clap::Subcommand;
use gcm_domain::{Affiliation, Role};

use crate::config::ReviewArgs;
use crate::{Config, commands};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key; its secret is printed alone on the last line of stdout, this once only
    #[command(after_help = environment!())]
    Create {
        /// Unique name of the key (who holds it), e.g. `iom-contributor`
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = text_enum_parser::<Role>(Role::NAMES))]
        role: Role,
        /// Reviewers' affiliation: internal (UN) or external
        #[arg(long, value_parser = text_enum_parser::<Affiliation>(Affiliation::NAMES), default_value = "external")]
        affiliation: Affiliation,
        /// Reviewers: show the key's name to contributors on its reviews (they are
        /// anonymous to contributors otherwise)
        #[arg(long)]
        public: bool,
    },
    /// List the keys (name, role, affiliation, created, revoked, public); never their secrets
    #[command(after_help = environment!())]
    List,
    /// Revoke the key NAME: requests with it get UNAUTHENTICATED from then on, and its
    /// approvals of submissions not yet decided no longer count (those submissions are
    /// decided again under the review thresholds)
    #[command(after_help = environment!())]
    Revoke {
        name: String,
        #[command(flatten)]
        review: ReviewArgs,
    },
}

/// Parses one of a domain enum's spellings, listing them in `--help` and in the error.
fn text_enum_parser<T>(
    names: &'static [&'static str],
) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: Clone + Send + Sync + std::str::FromStr + 'static,
{
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).try_map(|text| {
        text.parse::<T>()
            .map_err(|_| format!("{text:?} is not a value"))
    })
}

/// Runs one `keys` command.
pub(super) async fn run(config: Config, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create {
            name,
            role,
            affiliation,
            public,
        } => {
            let created = commands::keys_create(&config, &name, role, affiliation, public).await?;
            println!(
                "created the {} key {:?} ({}); its secret, shown this once:",
                created.key.role, created.key.name, created.key.affiliation
            );
            println!("{}", created.secret);
        }
        KeysCommand::List => {
            let keys = commands::keys_list(&config).await?;
            if keys.is_empty() {
                println!("no keys");
            }
            for key in keys {
                let state = match key.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%dT%H:%M:%SZ")),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\tcreated {}\t{state}{}",
                    key.name,
                    key.role,
                    key.affiliation,
                    key.created_at.format("%Y-%m-%dT%H:%M:%SZ"),
                    if key.public { "\tpublic" } else { "" }
                );
            }
        }
        KeysCommand::Revoke { name, review } => {
            commands::keys_revoke(&config.with_review(review), &name).await?;
            println!("revoked the key {name:?}");
        }
    }
    Ok(())
}
