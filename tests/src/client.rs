//! A small blocking HTTP client that never treats a 4xx as an error, so
//! tests can assert on status and problem+json bodies.

use serde_json::Value;

pub struct Api {
    base: String,
    token: Option<String>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Api({})", self.base)
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    pub text: String,
    /// The body parsed as JSON, or `Null` when it is not JSON.
    pub json: Value,
    /// Response headers, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// Asserts an RFC 9457 body and returns it.
    pub fn problem(&self) -> &Value {
        assert!(
            self.content_type.starts_with("application/problem+json"),
            "expected problem+json, got {} ({}): {}",
            self.content_type,
            self.status,
            self.text
        );
        for k in ["type", "title", "status", "detail"] {
            assert!(
                self.json.get(k).is_some(),
                "problem without {k}: {}",
                self.text
            );
        }
        assert_eq!(self.json["status"].as_u64(), Some(u64::from(self.status)));
        &self.json
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn field(&self) -> Option<&str> {
        self.json.get("field").and_then(Value::as_str)
    }
}

impl Api {
    pub fn new(base: &str, token: Option<&str>) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build()
            .into();
        Api {
            base: base.trim_end_matches('/').to_owned(),
            token: token.map(str::to_owned),
            agent,
        }
    }

    pub fn with_token(&self, token: Option<&str>) -> Api {
        Api::new(&self.base, token)
    }

    /// The bearer token this client sends, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Any method, with an optional JSON body (for table-driven tests).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Response {
        match (method, body) {
            ("GET", None) => self.get(path),
            ("DELETE", None) => self.delete(path),
            (_, body) => self.send(
                method,
                path,
                "application/json",
                body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            ),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn finish(res: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Response {
        let mut res = res.expect("HTTP request");
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let headers = res
            .headers()
            .iter()
            .map(|(n, v)| {
                let v = v.to_str().unwrap_or_default();
                (n.as_str().to_ascii_lowercase(), v.to_owned())
            })
            .collect();
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = res
            .body_mut()
            .with_config()
            .limit(512 * 1024 * 1024)
            .read_to_string()
            .unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Response {
            status,
            content_type,
            retry_after,
            text,
            json,
            headers,
        }
    }

    pub fn get(&self, path: &str) -> Response {
        self.get_accept(path, None)
    }

    /// GET without following a redirect (the 3xx itself).
    pub fn get_no_redirect(&self, path: &str) -> Response {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build()
            .into();
        let mut req = agent.get(self.url(path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::finish(req.call())
    }

    /// GET with an `Accept` header (content negotiation tests).
    pub fn get_accept(&self, path: &str, accept: Option<&str>) -> Response {
        let mut req = self.agent.get(self.url(path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(a) = accept {
            req = req.header("Accept", a);
        }
        Self::finish(req.call())
    }

    pub fn delete(&self, path: &str) -> Response {
        let mut req = self.agent.delete(self.url(path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::finish(req.call())
    }

    pub fn post(&self, path: &str, body: &Value) -> Response {
        self.send(
            "POST",
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
    }

    pub fn patch(&self, path: &str, body: &Value) -> Response {
        self.send(
            "PATCH",
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
    }

    /// Send raw bytes with any content type (for malformed-input tests).
    /// POST JSON asking for `accept` (a streamed answer is read whole).
    pub fn post_accept(&self, path: &str, body: &Value, accept: &str) -> Response {
        let mut req = self.agent.post(self.url(path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::finish(
            req.header("Content-Type", "application/json")
                .header("Accept", accept)
                .send(body.to_string().as_bytes()),
        )
    }

    pub fn send(&self, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> Response {
        let url = self.url(path);
        let mut req = match method {
            "POST" => self.agent.post(&url),
            "PATCH" => self.agent.patch(&url),
            "PUT" => self.agent.put(&url),
            other => panic!("unsupported method {other}"),
        };
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::finish(req.header("Content-Type", content_type).send(&body[..]))
    }

    /// A request with a raw Authorization header value.
    pub fn get_with_auth(&self, path: &str, authorization: &str) -> Response {
        Self::finish(
            self.agent
                .get(self.url(path))
                .header("Authorization", authorization)
                .call(),
        )
    }
}
