//! The live clients against local servers that replay recorded payloads in the real
//! shape (`tests/fixtures/`): a WebSocket server for Jetstream and a tiny HTTP/1.1
//! responder for the Mastodon SSE stream, the X filtered stream and feed polling.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use connectors::Record;
use connectors::live::{
    Backoff, FeedPoll, JetstreamConfig, LiveChannels, MastodonStreamConfig, XStreamConfig,
    poll_feed, run_jetstream, run_mastodon_stream, run_x_filtered_stream,
};
use domain::{IngestEvent, Source};
use futures_util::SinkExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
const FAST: Backoff = Backoff {
    initial: Duration::from_millis(10),
    max: Duration::from_millis(50),
};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{name}")).expect("fixture")
}

fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().expect("client")
}

fn channels<C>() -> (
    LiveChannels<C>,
    mpsc::Receiver<Record>,
    watch::Sender<bool>,
    watch::Receiver<Option<C>>,
) {
    let (records, receiver) = mpsc::channel(4);
    let (cancel_sender, cancel) = watch::channel(false);
    let (cursor, cursor_receiver) = watch::channel(None);
    (
        LiveChannels {
            records,
            cancel,
            cursor,
        },
        receiver,
        cancel_sender,
        cursor_receiver,
    )
}

async fn next(receiver: &mut mpsc::Receiver<Record>) -> Record {
    tokio::time::timeout(Duration::from_secs(10), receiver.recv())
        .await
        .expect("a record in time")
        .expect("open channel")
}

/// Serves each connection with `respond(request_head)`, closing after the response.
async fn http_server<F>(respond: F) -> (String, Arc<Mutex<Vec<String>>>)
where
    F: Fn(&str) -> String + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|window| window == b"\r\n\r\n") {
                let Ok(read) = socket.read(&mut buffer).await else {
                    break;
                };
                if read == 0 {
                    break;
                }
                head.extend_from_slice(&buffer[..read]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            seen.lock().unwrap().push(head.clone());
            let _ = socket.write_all(respond(&head).as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (address, requests)
}

#[tokio::test]
#[allow(clippy::result_large_err)] // the handshake callback's error type is tungstenite's
async fn jetstream_delivers_records_advances_the_cursor_and_resumes_from_it() {
    let lines: Vec<String> = fixture("jetstream_session.jsonl")
        .lines()
        .map(str::to_string)
        .collect();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("ws://{}/subscribe", listener.local_addr().unwrap());
    let (uri_sender, mut uris) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut session = 0;
        while let Ok((socket, _)) = listener.accept().await {
            let uri_sender = uri_sender.clone();
            let callback =
                move |request: &tokio_tungstenite::tungstenite::handshake::server::Request,
                      response| {
                    let _ = uri_sender.send(request.uri().to_string());
                    Ok(response)
                };
            let mut socket = tokio_tungstenite::accept_hdr_async(socket, callback)
                .await
                .unwrap();
            // First session: three events then a close; second session: the last event.
            let session_lines = if session == 0 {
                &lines[..3]
            } else {
                &lines[3..]
            };
            for line in session_lines {
                socket.send(Message::text(line.clone())).await.unwrap();
            }
            if session == 0 {
                let _ = socket.close(None).await;
            } else {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            session += 1;
        }
    });
    let (channels, mut receiver, cancel, cursor) = channels::<u64>();
    let config = JetstreamConfig {
        backoff: FAST,
        ..JetstreamConfig::new(endpoint)
    };
    let client = tokio::spawn(async move { run_jetstream(&config, channels).await });

    assert!(matches!(
        next(&mut receiver).await,
        Record::Event {
            event: IngestEvent::Upsert(_),
            ..
        }
    ));
    assert!(matches!(next(&mut receiver).await, Record::Ignored { .. }));
    let delete = next(&mut receiver).await;
    assert!(
        matches!(
            delete,
            Record::Event {
                event: IngestEvent::Delete {
                    source: Source::Bluesky,
                    ..
                },
                ..
            }
        ),
        "{delete:?}"
    );
    let Record::Event {
        event: IngestEvent::Upsert(second),
        ..
    } = next(&mut receiver).await
    else {
        panic!("expected a post")
    };
    assert_eq!(second.text, "second session post");

    let first_uri = uris.recv().await.unwrap();
    assert_eq!(first_uri, "/subscribe?wantedCollections=app.bsky.feed.post");
    let resumed_uri = uris.recv().await.unwrap();
    assert!(
        resumed_uri.ends_with("&cursor=1779719009170000"),
        "{resumed_uri}"
    );

    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(*cursor.borrow(), Some(1779719009180000));
    cancel.send(true).unwrap();
    let last = tokio::time::timeout(Duration::from_secs(5), client)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(last, Some(1779719009180000));
}

#[tokio::test]
async fn mastodon_sse_stream_gives_updates_and_deletes_with_the_token() {
    let body = fixture("mastodon_stream.sse");
    let (base_url, requests) = http_server(move |_| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n{body}"
        )
    })
    .await;
    let (channels, mut receiver, cancel, cursor) = channels::<String>();
    let config = MastodonStreamConfig {
        access_token: Some("secret-token".into()),
        backoff: FAST,
        ..MastodonStreamConfig::new(base_url)
    };
    let client =
        tokio::spawn(async move { run_mastodon_stream(&http_client(), &config, channels).await });

    let Record::Event {
        event: IngestEvent::Upsert(status),
        ..
    } = next(&mut receiver).await
    else {
        panic!("expected a status")
    };
    assert_eq!(status.author.handle, "alice@mastodon.example");
    assert_eq!(status.text, "Merci @comptoir !");
    assert_eq!(
        next(&mut receiver).await,
        Record::Event {
            position: "event 2".into(),
            event: IngestEvent::Delete {
                source: Source::Mastodon,
                external_id: "112000000000000000".into()
            }
        }
    );
    // The server closed the stream: the client reconnects and replays.
    assert!(matches!(
        next(&mut receiver).await,
        Record::Event {
            event: IngestEvent::Upsert(_),
            ..
        }
    ));
    assert_eq!(cursor.borrow().as_deref(), Some("112000000000000001"));
    let first_request = requests.lock().unwrap()[0].clone();
    assert!(
        first_request.starts_with("GET /api/v1/streaming/public "),
        "{first_request}"
    );
    assert!(
        first_request
            .to_ascii_lowercase()
            .contains("authorization: bearer secret-token")
    );
    cancel.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), client)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn x_filtered_stream_skips_keep_alives_and_stops_when_the_receiver_is_dropped() {
    let body = fixture("x_stream.jsonl");
    let (base_url, requests) = http_server(move |_| {
        format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n\r\n{body}\r\n")
    })
    .await;
    let (channels, mut receiver, _cancel, cursor) = channels::<String>();
    let config = XStreamConfig {
        base_url,
        bearer_token: "x-token".into(),
        backoff: FAST,
    };
    let client =
        tokio::spawn(async move { run_x_filtered_stream(&http_client(), &config, channels).await });

    let Record::Event {
        event: IngestEvent::Upsert(tweet),
        ..
    } = next(&mut receiver).await
    else {
        panic!("expected a tweet")
    };
    assert_eq!(tweet.author.handle, "bob_example");
    assert_eq!(
        tweet.url.as_deref(),
        Some("https://x.com/bob_example/status/1900000000000000001")
    );
    drop(receiver);
    let last = tokio::time::timeout(Duration::from_secs(5), client)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(last.as_deref(), Some("1900000000000000001"));
    assert_eq!(cursor.borrow().as_deref(), Some("1900000000000000001"));
    let request = requests.lock().unwrap()[0].clone();
    assert!(
        request.starts_with("GET /2/tweets/search/stream?expansions=author_id&"),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer x-token")
    );
}

#[tokio::test]
async fn x_filtered_stream_gives_up_on_bad_credentials() {
    let (base_url, _) = http_server(|_| {
        "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
    })
    .await;
    let (channels, _receiver, _cancel, _cursor) = channels::<String>();
    let config = XStreamConfig {
        base_url,
        bearer_token: "wrong".into(),
        backoff: FAST,
    };
    let result = run_x_filtered_stream(&http_client(), &config, channels).await;
    assert!(
        matches!(result, Err(connectors::ConnectorError::Network(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn feed_poll_sends_validators_and_handles_304() {
    let body = fixture("feed.xml");
    let (base_url, requests) = http_server(move |head| {
        if head.to_ascii_lowercase().contains("if-none-match: \"v1\"") {
            "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n".to_string()
        } else {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: \"v1\"\r\nLast-Modified: Mon, 25 May 2026 12:23:28 GMT\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
    })
    .await;
    let client = http_client();
    let url = format!("{base_url}/feed.xml");
    let FeedPoll::Fetched {
        records,
        etag,
        last_modified,
    } = poll_feed(&client, &url, None, None).await.unwrap()
    else {
        panic!("expected a fetched feed");
    };
    let Record::Event {
        event: IngestEvent::Upsert(entry),
        ..
    } = &records[0]
    else {
        panic!("{records:?}")
    };
    assert_eq!(entry.text, "Un article très court.");
    assert_eq!(entry.language.as_deref(), Some("fr"));
    assert_eq!(etag.as_deref(), Some("\"v1\""));
    let polled_again = poll_feed(&client, &url, etag.as_deref(), last_modified.as_deref())
        .await
        .unwrap();
    assert_eq!(polled_again, FeedPoll::NotModified);
    let second_request = requests.lock().unwrap()[1].to_ascii_lowercase();
    assert!(
        second_request.contains("if-modified-since: mon, 25 may 2026 12:23:28 gmt"),
        "{second_request}"
    );
}
