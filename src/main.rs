//! The `pledgewatch` command: parses the command line, sets up logging and
//! calls into the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

// mimalloc: a search allocates many small, short-lived things from
// several threads; at 100,000 documents the server served 6% more
// searches a second than with the system allocator, on the bundled corpus
// 16% more (`cargo bench --bench serve`), for some 20 MiB more memory
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::{Parser, Subcommand};

use pledgewatch::index::{self, Store};
use pledgewatch::{ask, web};

/// Prints a line; a closed pipe (`pledgewatch ask ... | head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Holds governments to their word: what was promised, whether it was
/// kept, who says so, and where exactly it is written.
#[derive(Parser)]
#[command(name = "pledgewatch", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Crawl the sources listed in a sources file into the corpus (WARC).
    Crawl {
        /// The sources file (TOML): a [crawl] table and [[source]] tables.
        #[arg(long)]
        sources: PathBuf,
        /// The corpus folder; captures go to its crawl/ folder.
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
        /// Stop after this many fetched pages (overrides the sources file).
        #[arg(long)]
        max_pages: Option<usize>,
        /// Read the sources and robots.txt, list what would be fetched, store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Extract, analyse and index the corpus.
    Index {
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Compute verdicts as known on this date (YYYY-MM-DD); default: the newest document's date.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Serve the web pages and the JSON API (builds the index first if there is none).
    Serve {
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: String,
        /// Requests a second allowed per client address (bursts of twice that); 0 turns the limit off.
        #[arg(long, default_value_t = 20)]
        rate_limit: u32,
        #[command(flatten)]
        llm: LlmArgs,
    },
    /// Score analysis and ask against the gold sets (dev and held-out apart).
    Eval {
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
        /// The folder holding gold/ and answer_key/.
        #[arg(long, default_value = "tests")]
        gold: PathBuf,
    },
    /// Train the commitment model on the gold set's development split and
    /// write its weights (what `data/commitment_model.tsv` holds).
    Train {
        /// The folder holding gold/.
        #[arg(long, default_value = "tests")]
        gold: PathBuf,
        /// Where to write the weights.
        #[arg(long, default_value = "data/commitment_model.tsv")]
        out: PathBuf,
    },
    /// Search documents.
    Search {
        /// The words to look for (phrases in quotes, AND/OR/NOT).
        query: String,
        /// Result page, from 1.
        #[arg(long, default_value_t = 1)]
        page: usize,
        /// Print JSON, as the API returns it.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
        #[arg(long, default_value = "index")]
        index: PathBuf,
    },
    /// Ask whether a promise was kept; the answer cites its sources.
    Ask {
        /// The question, in your own words.
        question: String,
        /// The conversation token printed by an earlier `ask`, for a follow-up question.
        #[arg(long)]
        conversation: Option<String>,
        /// Print JSON, as the API returns it.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "corpus")]
        corpus: PathBuf,
        #[arg(long, default_value = "index")]
        index: PathBuf,
        #[command(flatten)]
        llm: LlmArgs,
    },
}

/// Optional wording of answers by a language model (off by default).
#[derive(clap::Args)]
struct LlmArgs {
    /// An OpenAI-compatible server (e.g. http://127.0.0.1:8080, or a URL
    /// ending in /chat/completions) that may reword answers from their cited
    /// passages; a wording that fails the citation check is not shown. An
    /// API key, if needed, is read from PLEDGEWATCH_LLM_API_KEY.
    #[arg(long)]
    llm_url: Option<String>,
    /// The model name sent with each request.
    #[arg(long, default_value = "default", requires = "llm_url")]
    llm_model: String,
}

impl LlmArgs {
    fn client(&self) -> anyhow::Result<Option<ask::llm::LlmClient>> {
        match &self.llm_url {
            Some(url) => Ok(Some(ask::llm::LlmClient::new(url, &self.llm_model)?)),
            None => Ok(None),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Crawl {
            sources,
            corpus,
            max_pages,
            dry_run,
        } => {
            let options = pledgewatch::crawl::CrawlOptions {
                sources,
                corpus,
                max_pages,
                dry_run,
                progress_bar: std::io::stderr().is_terminal(),
            };
            let summary = pledgewatch::crawl::run(&options)?;
            say!(
                "fetched {}, unchanged {}, skipped {}, errors {}, {} bytes",
                summary.fetched,
                summary.unchanged,
                summary.skipped,
                summary.errors,
                summary.bytes
            );
            Ok(())
        }
        Command::Index {
            corpus,
            index,
            as_of,
        } => {
            if let Some(date) = &as_of
                && pledgewatch::extract::text::parse_date(date).is_none()
            {
                anyhow::bail!("--as-of {date:?} is not a date (YYYY-MM-DD)");
            }
            let report = index::build(
                &corpus,
                &index,
                as_of.as_deref(),
                std::io::stderr().is_terminal(),
            )
            .with_context(|| format!("building the index from {}", corpus.display()))?;
            say!(
                "indexed {} documents ({} paragraphs) from {} captures in {:.0} ms",
                report.documents,
                report.paragraphs,
                report.captures,
                report.elapsed.as_secs_f64() * 1000.0
            );
            let counts: Vec<String> = report
                .by_status
                .iter()
                .map(|(status, count)| format!("{status} {count}"))
                .collect();
            say!(
                "{} commitments as of {}: {}",
                report.commitments,
                report.as_of,
                counts.join(", ")
            );
            for (location, reason) in &report.skipped {
                say!("skipped {location}: {reason}");
            }
            Ok(())
        }
        Command::Eval { corpus, gold } => {
            let report = pledgewatch::eval::run(&corpus, &gold)?;
            say!("{report}");
            Ok(())
        }
        Command::Train { gold, out } => {
            use pledgewatch::analyze::learned::{self, Model};
            let examples = pledgewatch::eval::dev_examples(&gold)?;
            // an empty or one-sided split would overwrite the weights with
            // a model that has learned nothing
            let promises = examples.iter().filter(|(_, promise)| *promise).count();
            if promises == 0 || promises == examples.len() {
                anyhow::bail!(
                    "{}: the dev split has {} sentences, {promises} of them commitments; training needs both kinds (nothing written)",
                    gold.join("gold/sentences.toml").display(),
                    examples.len()
                );
            }
            let model = Model::train(&examples);
            std::fs::write(&out, model.to_tsv())
                .with_context(|| format!("writing {}", out.display()))?;
            let (hits, predicted, actual) = learned::cross_validate(&examples, 5);
            say!(
                "trained on {} development sentences: {} weights written to {}",
                examples.len(),
                model.len(),
                out.display()
            );
            say!(
                "5-fold cross-validation, the model alone at {}: precision {:.3} ({hits}/{predicted}), recall {:.3} ({hits}/{actual})",
                learned::THRESHOLD,
                hits as f64 / predicted.max(1) as f64,
                hits as f64 / actual.max(1) as f64
            );
            Ok(())
        }
        Command::Serve {
            corpus,
            index,
            addr,
            rate_limit,
            llm,
        } => {
            let client = llm.client()?;
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(web::serve(corpus, index, addr, rate_limit, client))
        }
        Command::Search {
            query,
            page,
            json,
            corpus,
            index,
        } => {
            let store = Store::open_or_build(&corpus, &index)?;
            let query = ask::clean_question(&query)?;
            let results = store.search(&query, page.max(1))?;
            if json {
                say!("{}", serde_json::to_string_pretty(&results)?);
                return Ok(());
            }
            say!("{} documents match", results.total);
            for hit in results.hits {
                say!(
                    "\n{} ({}, {})",
                    hit.title,
                    hit.publisher,
                    hit.published.unwrap_or_default()
                );
                say!("  {}", hit.url);
                say!(
                    "  {}",
                    hit.snippet.replace("<mark>", "*").replace("</mark>", "*")
                );
            }
            Ok(())
        }
        Command::Ask {
            question,
            conversation,
            json,
            corpus,
            index,
            llm,
        } => {
            let client = llm.client()?;
            let store = Store::open_or_build(&corpus, &index)?;
            let mut answer = ask::ask_in_conversation(&store, &question, conversation.as_deref())?;
            if let Some(client) = &client {
                ask::rephrase(&mut answer, client);
            }
            if json {
                say!(
                    "{}",
                    serde_json::to_string_pretty(&web::api_answer(&answer))?
                );
                return Ok(());
            }
            say!("{}", answer.answer);
            if answer.generated {
                say!(
                    "(worded by a language model from the cited passages; every sentence checked)"
                );
            }
            if let Some(note) = &answer.generation_note {
                say!("(not reworded: {note})");
            }
            for citation in &answer.citations {
                say!(
                    "\n[{}] {} — {}, {} ({})\n    {}#{}\n    “{}”",
                    citation.number,
                    citation.title,
                    citation.publisher,
                    citation.published.clone().unwrap_or_default(),
                    citation.role,
                    citation.url,
                    citation.paragraph,
                    citation.quote
                );
            }
            for other in &answer.also_matching {
                say!(
                    "\nalso matching ({}): {}",
                    other.status.as_str(),
                    other.text
                );
            }
            for suggestion in &answer.suggestions {
                say!("\ntry: {suggestion}");
            }
            if let Some(token) = &answer.conversation {
                say!("\nfollow up with: --conversation {token}");
            }
            Ok(())
        }
    }
}
