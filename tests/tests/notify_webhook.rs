//! Invitations delivered to a real webhook: a tiny HTTP receiver inside the
//! test answers 500 to the first request and 200 afterwards; the outbox
//! retries with backoff and every attempt carries the same Idempotency-Key.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use expert_draw_tests::pool::{Seed, credit_code, seed_pool};
use expert_draw_tests::{Backend, Server, TestDb, both_backends};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
struct Received {
    key: String,
    body: Value,
    status: u16,
}

/// Serve on 127.0.0.1:0 in a thread; returns the URL and the log.
fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let log: Arc<Mutex<Vec<Received>>> = Arc::default();
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut key = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    match name.to_ascii_lowercase().as_str() {
                        "idempotency-key" => key = value.trim().to_owned(),
                        "content-length" => length = value.trim().parse().unwrap_or(0),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).ok();
            let mut log = seen.lock().unwrap();
            let status = if log.is_empty() { 500 } else { 200 };
            log.push(Received {
                key,
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                status,
            });
            drop(log);
            let reason = if status == 200 {
                "OK"
            } else {
                "Internal Server Error"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.flush();
        }
    });
    (url, log)
}

fn webhook_retries(backend: Backend) {
    let (url, log) = receiver();
    let db = TestDb::new(backend);
    let config = db.path("policy.toml");
    std::fs::write(
        &config,
        "[notify]\npoll_ms = 50\nretry_base_ms = 200\npublic_base_url = \"https://centre.example\"\n",
    )
    .unwrap();
    let s = Server::start_with(
        db,
        &[
            "--config",
            config.to_str().unwrap(),
            "--notify-webhook",
            &url,
        ],
    );
    let seeds: Vec<Seed> = (0..8)
        .map(|i| Seed {
            region: "420600",
            specialty: "ENA0101",
            employer: 400 + i,
        })
        .collect();
    seed_pool(&s.admin(), &seeds);
    let op = s.token("operator", Some("420100"));
    let start = Utc::now() + chrono::Duration::hours(3);
    let r = op.post(
        "/api/v1/draws",
        &json!({
            "project": {"id": "P-W", "name": "保密项目", "region": "420100", "tenderer": credit_code(1), "bid_section": "A"},
            "evaluation": {
                "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "end": (start + chrono::Duration::hours(4)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "venue": "第二评标室",
            },
            "panel": [{"specialty": "ENA01", "count": 5, "reserve": 1}],
            "representatives": 0,
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_owned();
    let r = op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);

    let started = Instant::now();
    let received = loop {
        let got = log.lock().unwrap().clone();
        if got.len() >= 6 {
            break got;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "only {} deliveries: {got:?}",
            got.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(received[0].status, 500);
    let first = &received[0].key;
    assert!(first.starts_with("invitation-"), "{first}");
    let attempts: Vec<&Received> = received.iter().filter(|r| &r.key == first).collect();
    assert_eq!(
        attempts.len(),
        2,
        "the failed message is retried once: {received:?}"
    );
    assert_eq!(attempts[1].status, 200);
    assert_eq!(
        attempts[0].body, attempts[1].body,
        "a retry sends the same message"
    );
    let mut keys: Vec<&String> = received.iter().map(|r| &r.key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 5, "one key per invitation");
    for r in &received {
        assert_eq!(r.body["idempotency_key"], r.key.as_str());
        let text = r.body["payload"]["text"].as_str().unwrap();
        assert!(
            text.contains("第二评标室") && !text.contains("保密"),
            "{text}"
        );
    }
    // Nothing more arrives: delivered messages are not sent again.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(log.lock().unwrap().len(), 6);
}

both_backends!(
    webhook_delivery_retries_with_idempotency_key,
    webhook_retries
);
