//! A headless Chromium driven over WebDriver (chromedriver's HTTP API) with
//! ureq: no npm, no browser download. `Browser::launch` starts chromedriver
//! on a free port and a fresh profile; on a panic the open page is saved as
//! a screenshot under the test's directory and the path printed.
//!
//! Without Debian's `chromium` and `chromium-driver`, tests fail under
//! `CI=true` and skip (with a message) otherwise: see [`unavailable`].

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a wait may take before the test gives up (not a timing
/// assertion: a slow machine only makes the test take longer; a shared
/// machine under a full test run has been seen to need tens of seconds
/// for one page).
const PATIENCE: Duration = Duration::from_secs(300);

/// One browser at a time in this process: two Chromiums beside a full
/// parallel test run starve each other.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub const CHROMIUM: &str = "/usr/bin/chromium";

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Why no browser test can run here, if so.
pub fn unavailable() -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} is missing (apt-get install chromium)"));
    }
    if chromedriver().is_none() {
        return Some("chromedriver is missing (apt-get install chromium-driver)".into());
    }
    None
}

/// `true` when the test must run (CI); otherwise prints why it skips.
pub fn available_or_skip(test: &str) -> bool {
    match unavailable() {
        None => true,
        Some(why) => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "{test}: a browser is required under CI=true: {why}"
            );
            eprintln!("SKIPPED {test}: {why} (set CI=true to make this fail)");
            false
        }
    }
}

pub struct Browser {
    _turn: std::sync::MutexGuard<'static, ()>,
    driver: Child,
    url: String,
    session: String,
    agent: ureq::Agent,
    /// Screenshots on failure go here (kept only then).
    dir: PathBuf,
    shots: std::cell::Cell<u32>,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").field("url", &self.url).finish()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Browser {
    /// Start chromedriver and one headless Chromium session; `dir` holds the
    /// profile and any screenshots.
    pub fn launch(dir: &Path) -> Browser {
        // A test that failed while holding the lock poisons it; the next
        // test may still run.
        let turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let driver_bin = chromedriver().expect("chromedriver (checked by available_or_skip)");
        let port = free_port();
        let log = std::fs::File::create(dir.join("chromedriver.log")).expect("driver log");
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = agent
                .get(&format!("{url}/status"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = dir.join("profile");
        std::fs::create_dir_all(&profile).expect("profile dir");
        let mut b = Browser {
            _turn: turn,
            driver,
            url,
            session: String::new(),
            agent,
            dir: dir.to_path_buf(),
            shots: std::cell::Cell::new(0),
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=1280,1000", "--lang=zh-CN",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let v = b.raw("POST", "/session", Some(caps));
        b.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("new session: {v}"))
            .to_owned();
        b
    }

    fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url);
        let res = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut res = res.unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        let v: Value = res.body_mut().read_json().unwrap_or(Value::Null);
        v["value"].clone()
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = self.raw(method, &format!("/session/{}{path}", self.session), body);
        if let Some(err) = v.get("error") {
            panic!("webdriver {method} {path}: {err}: {}", v["message"]);
        }
        v
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    pub fn current_url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Run `script` (a function body; `arguments[i]` are `args`).
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    fn find(&self, css: &str) -> Option<Value> {
        let v = self.raw(
            "POST",
            &format!("/session/{}/element", self.session),
            Some(json!({"using": "css selector", "value": css})),
        );
        v.get(ELEMENT).map(|id| json!({ ELEMENT: id }))
    }

    /// Poll until `check` holds; `what` names it if it never does.
    pub fn wait_until(&self, what: &str, mut check: impl FnMut(&Browser) -> bool) {
        let started = Instant::now();
        while !check(self) {
            if started.elapsed() > PATIENCE {
                panic!(
                    "gave up waiting for {what} at {}; page text:\n{}",
                    self.current_url(),
                    self.text("body")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait for an element matching `css` and return its reference.
    pub fn wait(&self, css: &str) -> Value {
        let mut found = None;
        self.wait_until(&format!("`{css}`"), |b| {
            found = b.find(css);
            found.is_some()
        });
        found.unwrap_or(Value::Null)
    }

    pub fn exists(&self, css: &str) -> bool {
        self.find(css).is_some()
    }

    fn element_id(el: &Value) -> String {
        el[ELEMENT].as_str().unwrap_or_default().to_owned()
    }

    pub fn click(&self, css: &str) {
        let el = self.wait(css);
        self.cmd(
            "POST",
            &format!("/element/{}/click", Self::element_id(&el)),
            None,
        );
    }

    /// Type into a field as a user would (keyboard events).
    pub fn type_into(&self, css: &str, text: &str) {
        let el = self.wait(css);
        let id = Self::element_id(&el);
        self.cmd("POST", &format!("/element/{id}/clear"), None);
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Choose a file in an `<input type=file>` (WebDriver sends the path;
    /// the browser reads the file as a user's choice would).
    pub fn upload(&self, css: &str, path: &Path) {
        let el = self.wait(css);
        self.cmd(
            "POST",
            &format!("/element/{}/value", Self::element_id(&el)),
            Some(json!({"text": path.display().to_string()})),
        );
    }

    /// Render the page for print (`@media print`) or back to the screen
    /// (`""`), through chromedriver's DevTools command.
    pub fn emulate_media(&self, media: &str) {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": media}})),
        );
    }

    /// Whether the first element matching `css` is rendered (not
    /// `display: none` itself or through an ancestor).
    pub fn rendered(&self, css: &str) -> bool {
        self.script(
            "const el = document.querySelector(arguments[0]); \
             return !!el && el.getClientRects().length > 0;",
            json!([css]),
        )
        .as_bool()
        .unwrap_or(false)
    }

    /// Set a control's value directly (selects, date-time pickers).
    pub fn set_value(&self, css: &str, value: &str) {
        self.wait(css);
        self.script(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
             el.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        );
    }

    /// The visible text of the first element matching `css` ("" if none).
    pub fn text(&self, css: &str) -> String {
        self.script(
            "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';",
            json!([css]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.script(
            "const el = document.querySelector(arguments[0]); return el ? el.getAttribute(arguments[1]) : null;",
            json!([css, name]),
        )
        .as_str()
        .map(str::to_owned)
    }

    pub fn count(&self, css: &str) -> usize {
        self.script(
            "return document.querySelectorAll(arguments[0]).length;",
            json!([css]),
        )
        .as_u64()
        .unwrap_or(0) as usize
    }

    /// With `CONSOLE_SCREENSHOTS=DIR` set, save the page as `DIR/name.png`
    /// (how the README's pictures are made); otherwise nothing.
    pub fn picture(&self, name: &str) {
        use base64::Engine;
        let Some(dir) = std::env::var_os("CONSOLE_SCREENSHOTS") else {
            return;
        };
        let v = self.raw(
            "GET",
            &format!("/session/{}/screenshot", self.session),
            None,
        );
        let bytes = v
            .as_str()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .expect("a screenshot");
        let path = Path::new(&dir).join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("write the picture");
    }

    /// Save the page as a PNG under the test's directory; returns the path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let n = self.shots.get() + 1;
        self.shots.set(n);
        let v = self.raw(
            "GET",
            &format!("/session/{}/screenshot", self.session),
            None,
        );
        let path = self.dir.join(format!("{n:02}-{name}.png"));
        if let Some(b64) = v.as_str()
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            let _ = std::fs::write(&path, bytes);
        }
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if std::thread::panicking() && !self.session.is_empty() {
            let path = self.screenshot("failure");
            eprintln!("screenshot of the failing page: {}", path.display());
        }
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A directory for one browser test, kept when the test fails (its
/// screenshots), removed when it passes.
#[derive(Debug)]
pub struct TestDir(pub PathBuf);

impl TestDir {
    pub fn new(name: &str) -> TestDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("test dir");
        TestDir(dir)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("browser test files kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
