//! Generated phrasing against stand-in chat-completions endpoints on
//! loopback: a model that cites well is shown; one that invents a
//! sentence or a figure, answers garbage, fails or hangs is not, and the
//! extractive answer is shown with the reason. Never a panic or a 500.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use pledgewatch::analyze::sentences;
use pledgewatch::ask::{self, Answer, llm::LlmClient};
use pledgewatch::index::Store;
use pledgewatch::web::{AppState, Settings, router};

use crate::support::{demo_index_dir, demo_store};

const QUESTION: &str = "Did the government meet its NHS App target?";

/// What a stand-in endpoint does with every request.
#[derive(Clone)]
enum Reply {
    /// 200 with a chat completion whose content is this text.
    Completion(String),
    /// This status and body as given.
    Raw(u16, String),
    /// Reads the request and never answers.
    Hang,
}

struct StandIn {
    url: String,
    /// The request bodies received.
    requests: Arc<Mutex<Vec<String>>>,
}

/// A chat-completions stand-in on 127.0.0.1, one thread per connection.
fn stand_in(reply: Reply) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let reply = reply.clone();
            let seen = seen.clone();
            std::thread::spawn(move || answer(stream, &reply, &seen));
        }
    });
    StandIn { url, requests }
}

fn answer(mut stream: TcpStream, reply: &Reply, seen: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        let Ok(read) = stream.read(&mut buffer) else {
            return;
        };
        if read == 0 {
            return;
        }
        received.extend_from_slice(&buffer[..read]);
        if let Some(position) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break position + 4;
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    assert!(
        head.starts_with("post /v1/chat/completions "),
        "request line: {head}"
    );
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while received.len() < head_end + length {
        let Ok(read) = stream.read(&mut buffer) else {
            return;
        };
        if read == 0 {
            break;
        }
        received.extend_from_slice(&buffer[..read]);
    }
    seen.lock()
        .expect("requests")
        .push(String::from_utf8_lossy(&received[head_end..]).into_owned());
    let (status, body) = match reply {
        Reply::Completion(content) => (
            200,
            serde_json::json!({
                "id": "stand-in",
                "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            })
            .to_string(),
        ),
        Reply::Raw(status, body) => (*status, body.clone()),
        Reply::Hang => {
            std::thread::sleep(Duration::from_secs(10));
            return;
        }
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn client(stand_in: &StandIn) -> LlmClient {
    LlmClient::with_options(
        &stand_in.url,
        "stand-in-model",
        Duration::from_secs(2),
        None,
    )
    .expect("client")
}

fn extractive() -> Answer {
    ask::ask(&demo_store(), QUESTION).expect("answer")
}

/// A faithful rewording: the first sentence of each of the first two
/// passages, introduced by its publisher and cited.
fn faithful_wording(answer: &Answer) -> String {
    answer
        .citations
        .iter()
        .take(2)
        .map(|citation| {
            let first = sentences::split(&citation.quote)[0].trim_end_matches('.');
            format!(
                "{} wrote: {first} [{}].",
                citation.publisher, citation.number
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_well_cited_wording_is_shown_and_the_verdict_stays_ours() {
    let plain = extractive();
    assert!(plain.citations.len() >= 2, "{plain:#?}");
    let wording = faithful_wording(&plain);
    let endpoint = stand_in(Reply::Completion(wording.clone()));
    let mut answer = extractive();
    ask::rephrase(&mut answer, &client(&endpoint));
    assert!(answer.generated, "{:?}", answer.generation_note);
    assert_eq!(answer.generation_note, None);
    assert_eq!(answer.status, plain.status);
    let verdict_line = plain.verdict_line.clone().expect("verdict line");
    assert!(
        answer.answer.starts_with(&verdict_line),
        "{}",
        answer.answer
    );
    assert!(answer.answer.contains(&wording), "{}", answer.answer);
    assert_ne!(answer.answer, plain.answer);

    let requests = endpoint.requests.lock().expect("requests");
    assert_eq!(requests.len(), 1);
    let sent: serde_json::Value = serde_json::from_str(&requests[0]).expect("JSON request");
    assert_eq!(sent["model"], "stand-in-model");
    assert_eq!(sent["temperature"], 0);
    let user = sent["messages"][1]["content"]
        .as_str()
        .expect("user message");
    for citation in &plain.citations {
        assert!(
            user.contains(&format!("[{}] {}", citation.number, citation.publisher)),
            "{user}"
        );
        assert!(user.contains(&citation.quote), "{user}");
    }
}

#[test]
fn an_invented_sentence_or_figure_falls_back_to_the_extractive_answer() {
    let plain = extractive();
    let faithful = faithful_wording(&plain);
    for (invented, reason) in [
        (
            format!("{faithful} Ministers were delighted with the result."),
            "cites no passage",
        ),
        (
            format!("{faithful} By then 97,531 adults had registered [1]."),
            "the figure 97531",
        ),
        (
            format!("{faithful} The app was popular [42]."),
            "[42], which was not sent",
        ),
        (
            "Prison places in Wales rose sharply after the sentencing review [1].".to_string(),
            "of its words in the passages it cites",
        ),
    ] {
        let endpoint = stand_in(Reply::Completion(invented.clone()));
        let mut answer = extractive();
        ask::rephrase(&mut answer, &client(&endpoint));
        assert!(!answer.generated, "{invented}");
        assert_eq!(answer.answer, plain.answer, "{invented}");
        let note = answer.generation_note.expect("a note");
        assert!(note.contains("failed the check"), "{note}");
        assert!(note.contains(reason), "{note}");
    }
}

#[test]
fn garbage_errors_and_silence_fall_back_without_a_panic() {
    let plain = extractive();
    for (reply, expected) in [
        (
            Reply::Raw(200, "<html>hello</html>".into()),
            "not a chat completion",
        ),
        (
            Reply::Raw(200, r#"{"choices": []}"#.into()),
            "not a chat completion",
        ),
        (
            Reply::Raw(500, r#"{"error": "model not loaded"}"#.into()),
            "status 500",
        ),
        (Reply::Raw(200, "x".repeat(300 * 1024)), "more than"),
        (Reply::Hang, "did not answer within"),
    ] {
        let endpoint = stand_in(reply);
        let mut answer = extractive();
        ask::rephrase(&mut answer, &client(&endpoint));
        assert!(!answer.generated);
        assert_eq!(answer.answer, plain.answer);
        let note = answer.generation_note.expect("a note");
        assert!(note.contains(expected), "{note}");
    }
    // nothing listens here any more
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("address"));
    drop(closed);
    let unreachable =
        LlmClient::with_options(&url, "m", Duration::from_secs(2), None).expect("client");
    let mut answer = extractive();
    ask::rephrase(&mut answer, &unreachable);
    assert!(!answer.generated);
    assert!(
        answer
            .generation_note
            .expect("a note")
            .contains("could not be reached")
    );
}

#[test]
fn nothing_found_is_not_sent_to_the_model() {
    let endpoint = stand_in(Reply::Completion("Anything [1].".into()));
    let mut answer = ask::ask(&demo_store(), "zebra crossings on the moon").expect("answer");
    assert!(answer.status.is_none());
    ask::rephrase(&mut answer, &client(&endpoint));
    assert!(!answer.generated);
    assert!(endpoint.requests.lock().expect("requests").is_empty());
}

async fn api_ask(llm: LlmClient) -> (StatusCode, serde_json::Value) {
    let state = AppState::with_settings(
        Store::open(&demo_index_dir()).expect("open index"),
        Settings {
            llm: Some(llm),
            ..Settings::default()
        },
    );
    let uri = format!(
        "/api/ask?q={}",
        url::form_urlencoded::byte_serialize(QUESTION.as_bytes()).collect::<String>()
    );
    let response = router(state)
        .oneshot(
            Request::builder()
                .uri(uri)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, serde_json::from_slice(&bytes).expect("JSON"))
}

#[tokio::test]
async fn the_api_says_whether_the_answer_was_generated() {
    let plain = extractive();
    let good = stand_in(Reply::Completion(faithful_wording(&plain)));
    let (status, body) = api_ask(client(&good)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["generated"], true, "{body}");
    assert_eq!(body["generation_note"], serde_json::Value::Null);
    assert_eq!(
        body["status"],
        plain.status.map(|s| s.as_str()).expect("status")
    );

    let failing = stand_in(Reply::Raw(500, "{}".into()));
    let (status, body) = api_ask(client(&failing)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["generated"], false);
    assert_eq!(body["answer"], plain.answer);
    assert!(
        body["generation_note"]
            .as_str()
            .is_some_and(|note| note.contains("status 500")),
        "{body}"
    );
    // the contract's other fields are all still there
    for field in [
        "question",
        "answer",
        "status",
        "as_of",
        "commitment",
        "citations",
        "also_matching",
        "suggestions",
        "intent",
        "follow_up",
        "conversation",
        "notice",
    ] {
        assert!(body.get(field).is_some(), "{field} missing: {body}");
    }
}
