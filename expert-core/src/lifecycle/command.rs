//! The commands that move an expert between statuses, each carrying the data
//! the new status needs; `transition` decides whether one applies.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{RestoreMode, RetireReason, Term};

/// Serialised with a `command` tag: `{"command":"grant_leave","from":...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Approve {
        term: Term,
    },
    Reject {
        reasons: Vec<String>,
    },
    /// A rejected applicant applies again.
    Reapply,
    GrantLeave {
        from: NaiveDate,
        to: NaiveDate,
        reason: String,
    },
    EndLeave,
    Suspend {
        from: NaiveDate,
        until: Option<NaiveDate>,
        restore: RestoreMode,
        reason: String,
    },
    Reinstate {
        via: ReinstateVia,
    },
    /// The next term after a passed re-review.
    Renew {
        term: Term,
    },
    Retire {
        on: NaiveDate,
        reason: RetireReason,
    },
    Remove {
        on: NaiveDate,
        reason: String,
        ban_until: Option<NaiveDate>,
    },
}

/// How a suspension ends; must match the suspension's [`RestoreMode`].
/// Serialised with a `kind` tag: `{"kind":"test_passed","reference":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReinstateVia {
    Automatic { on: NaiveDate },
    Application { reference: String },
    TestPassed { reference: String },
}

impl ReinstateVia {
    pub fn mode(&self) -> RestoreMode {
        match self {
            ReinstateVia::Automatic { .. } => RestoreMode::Automatic,
            ReinstateVia::Application { .. } => RestoreMode::OnApplication,
            ReinstateVia::TestPassed { .. } => RestoreMode::AfterTest,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Approve,
    Reject,
    Reapply,
    GrantLeave,
    EndLeave,
    Suspend,
    Reinstate,
    Renew,
    Retire,
    Remove,
}

impl CommandKind {
    pub const ALL: [CommandKind; 10] = [
        CommandKind::Approve,
        CommandKind::Reject,
        CommandKind::Reapply,
        CommandKind::GrantLeave,
        CommandKind::EndLeave,
        CommandKind::Suspend,
        CommandKind::Reinstate,
        CommandKind::Renew,
        CommandKind::Retire,
        CommandKind::Remove,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Approve => "approve",
            CommandKind::Reject => "reject",
            CommandKind::Reapply => "reapply",
            CommandKind::GrantLeave => "grant_leave",
            CommandKind::EndLeave => "end_leave",
            CommandKind::Suspend => "suspend",
            CommandKind::Reinstate => "reinstate",
            CommandKind::Renew => "renew",
            CommandKind::Retire => "retire",
            CommandKind::Remove => "remove",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CommandKind::Approve => "准入",
            CommandKind::Reject => "不予准入",
            CommandKind::Reapply => "重新申请",
            CommandKind::GrantLeave => "请假",
            CommandKind::EndLeave => "销假",
            CommandKind::Suspend => "暂停",
            CommandKind::Reinstate => "恢复",
            CommandKind::Renew => "续聘",
            CommandKind::Retire => "退出",
            CommandKind::Remove => "清除出库",
        }
    }
}

impl fmt::Display for CommandKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::Approve { .. } => CommandKind::Approve,
            Command::Reject { .. } => CommandKind::Reject,
            Command::Reapply => CommandKind::Reapply,
            Command::GrantLeave { .. } => CommandKind::GrantLeave,
            Command::EndLeave => CommandKind::EndLeave,
            Command::Suspend { .. } => CommandKind::Suspend,
            Command::Reinstate { .. } => CommandKind::Reinstate,
            Command::Renew { .. } => CommandKind::Renew,
            Command::Retire { .. } => CommandKind::Retire,
            Command::Remove { .. } => CommandKind::Remove,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_shapes() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let cases = [
            (Command::EndLeave, json!({"command": "end_leave"})),
            (
                Command::Reinstate {
                    via: ReinstateVia::TestPassed {
                        reference: "T-7".into(),
                    },
                },
                json!({"command": "reinstate", "via": {"kind": "test_passed", "reference": "T-7"}}),
            ),
            (
                Command::Reinstate {
                    via: ReinstateVia::Automatic {
                        on: d("2025-12-01"),
                    },
                },
                json!({"command": "reinstate", "via": {"kind": "automatic", "on": "2025-12-01"}}),
            ),
            (
                Command::Suspend {
                    from: d("2025-06-01"),
                    until: None,
                    restore: RestoreMode::OnApplication,
                    reason: "无故缺席".into(),
                },
                json!({"command": "suspend", "from": "2025-06-01", "until": null,
                       "restore": "on_application", "reason": "无故缺席"}),
            ),
        ];
        for (command, expected) in cases {
            assert_eq!(serde_json::to_value(&command).unwrap(), expected);
            assert_eq!(
                serde_json::from_value::<Command>(expected).unwrap(),
                command
            );
        }
        for k in CommandKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.as_str()));
        }
    }
}
