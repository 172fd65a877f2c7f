//! The web UI once in a real headless Chromium, driven through Debian's
//! chromedriver with fantoccini: search, open a result, follow a paragraph
//! link, ask a question and a follow-up, download a CSV. Screenshots go to
//! `target/screenshots/`. Skipped, with a printed line, when Chromium or
//! chromedriver is not installed (`scripts/test` installs them).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use pledgewatch::index::Store;
use pledgewatch::web::{AppState, Settings, router};

use crate::support::{corpus_dir, repo_root, scratch};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, stopped when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("create screenshots folder");
    dir
}

async fn screenshot(client: &Client, dir: &Path, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

async fn start_driver() -> (Driver, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    // chromedriver takes a moment to listen
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return (driver, format!("http://127.0.0.1:{port}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening on port {port}");
}

async fn start_server() -> SocketAddr {
    let index = scratch("browser-index").join("index");
    let corpus = corpus_dir();
    let build_index = index.clone();
    let store = tokio::task::spawn_blocking(move || {
        pledgewatch::index::build(&corpus, &build_index, None, false).expect("index");
        Store::open(&build_index).expect("open index")
    })
    .await
    .expect("indexing");
    let state = AppState::with_settings(
        store,
        Settings {
            corpus: Some(corpus_dir()),
            index: Some(index),
            rate_limit: 0,
            llm: None,
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_works_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        println!(
            "skipping the browser test: {CHROMIUM} or {CHROMEDRIVER} is not installed (scripts/test installs them)"
        );
        return;
    }
    // two TLS crypto providers are linked in; the WebDriver client needs one chosen
    let _ = rustls::crypto::ring::default_provider().install_default();
    let shots = screenshots_dir();
    let address = start_server().await;
    let site = format!("http://{address}");
    let (_driver, webdriver) = start_driver().await;
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--window-size=1280,1000",
            ],
        }),
    );
    let client = ClientBuilder::rustls()
        .expect("tls")
        .capabilities(capabilities)
        .connect(&webdriver)
        .await
        .expect("a Chromium session");

    // search from the home page
    client.goto(&format!("{site}/")).await.expect("home");
    client
        .find(Locator::Id("search-q"))
        .await
        .expect("search box")
        .send_keys("nhs app")
        .await
        .expect("type");
    client
        .find(Locator::Css("form[aria-label='Search documents'] button"))
        .await
        .expect("search button")
        .click()
        .await
        .expect("search");
    let first = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("ol.results li h2 a"))
        .await
        .expect("a result");
    assert!(client.current_url().await.expect("url").path() == "/search");
    let marks = client
        .find_all(Locator::Css(".snippet mark"))
        .await
        .expect("marks");
    assert!(!marks.is_empty(), "highlighted snippets");
    assert!(
        !client
            .find_all(Locator::Css("aside.facets li a"))
            .await
            .expect("facets")
            .is_empty(),
        "facet links"
    );
    screenshot(&client, &shots, "1-search").await;

    // open a result: it lands on the paragraph of the snippet
    first.click().await.expect("open result");
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("div.paragraphs"))
        .await
        .expect("a document");
    let opened = client.current_url().await.expect("url");
    assert!(opened.path().starts_with("/documents/"), "{opened}");
    screenshot(&client, &shots, "2-document").await;

    // follow a paragraph link
    let anchor = client
        .find(Locator::Css("div.paragraphs p a.anchor"))
        .await
        .expect("a paragraph link");
    let href = anchor.attr("href").await.expect("href").expect("an href");
    anchor.click().await.expect("follow paragraph link");
    let followed = client.current_url().await.expect("url");
    assert_eq!(
        followed.fragment(),
        Some(href.trim_start_matches('#')),
        "{followed}"
    );
    screenshot(&client, &shots, "3-paragraph").await;

    // ask a question, then a follow-up in the same conversation
    client.goto(&format!("{site}/ask")).await.expect("ask page");
    client
        .find(Locator::Id("q"))
        .await
        .expect("question box")
        .send_keys("Did the government meet its NHS App target?")
        .await
        .expect("type");
    client
        .find(Locator::Css("form[aria-label='Ask'] button"))
        .await
        .expect("ask button")
        .click()
        .await
        .expect("ask");
    let answer = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("section.answer"))
        .await
        .expect("an answer");
    assert!(!answer.text().await.expect("text").is_empty());
    screenshot(&client, &shots, "4-answer").await;
    client
        .find(Locator::Id("q"))
        .await
        .expect("follow-up box")
        .send_keys("and the 75% one?")
        .await
        .expect("type");
    client
        .find(Locator::Css("form[aria-label='Ask'] button"))
        .await
        .expect("ask button")
        .click()
        .await
        .expect("ask again");
    let earlier = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("section.earlier"))
        .await
        .expect("the conversation so far");
    assert!(
        earlier
            .text()
            .await
            .expect("text")
            .contains("NHS App target"),
        "the first question is shown"
    );
    screenshot(&client, &shots, "5-follow-up").await;

    // download a CSV of a search
    client
        .goto(&format!("{site}/search?q=nhs"))
        .await
        .expect("search");
    let link = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("a[href^='/search.csv']"))
        .await
        .expect("a CSV link");
    let href = link.attr("href").await.expect("href").expect("an href");
    let csv_url = format!("{site}{href}");
    let (content_type, body) = tokio::task::spawn_blocking(move || {
        let mut response = ureq::get(&csv_url).call().expect("download");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (
            content_type,
            response.body_mut().read_to_string().expect("body"),
        )
    })
    .await
    .expect("download");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert!(
        body.starts_with("id,title,publisher,type,published"),
        "{body}"
    );
    link.click().await.expect("click the download link");
    screenshot(&client, &shots, "6-csv").await;

    // the verdict chart and a commitment page
    client
        .goto(&format!("{site}/commitments"))
        .await
        .expect("commitments");
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("figure.chart svg[role='img']"))
        .await
        .expect("the verdict chart");
    screenshot(&client, &shots, "7-commitments").await;
    client
        .find(Locator::Css("table.commitments a"))
        .await
        .expect("a commitment")
        .click()
        .await
        .expect("open commitment");
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("ol.timeline"))
        .await
        .expect("a timeline");
    screenshot(&client, &shots, "8-commitment").await;

    client.close().await.expect("close the browser");
    println!("browser test screenshots in {}", shots.display());
}
