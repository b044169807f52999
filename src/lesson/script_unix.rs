//! What an exported script of an `AF_UNIX` session writes differently: no
//! HOST and PORT (the address is the socket file's path), a listening line
//! that prints the path, and the removal of a socket file left from before
//! each bind, as Unix servers do (a replay would otherwise meet the file the
//! recorded session left: `EADDRINUSE`).

use std::fmt::Write as _;

use super::Lang;
use super::export::Step;
use crate::net::{Addr, Call, Family, UnixName};
use crate::python::Python as _;

/// Whether the session's sockets are `AF_UNIX`.
pub(super) fn is_unix(steps: &[Step]) -> bool {
    steps.iter().any(|s| matches!(s.call, Call::Socket { family: Family::Unix, .. }))
}

/// The header's first lines, after the shebang: what it is and how to run it.
pub(super) fn intro(lang: Lang, server: bool) -> String {
    match lang {
        Lang::En => format!(
            "# A Unix stream {} session recorded by sockpit, as a Python script.\n\
             # Run: python3 SCRIPT   (in the directory of the recorded socket file)\n\
             # It makes the recorded calls in order: the same bytes are sent, and each\n\
             # recv waits for as many bytes as arrived then. Received bytes go to stdout\n\
             # unchanged; everything else goes to stderr.\n",
            if server { "server" } else { "client" }
        ),
        Lang::Zh => format!(
            "# sockpit 记录的一次 Unix 流式{}会话，导出为 Python 脚本。\n\
             # 运行：python3 脚本（在记录中套接字文件所在的目录）\n\
             # 它按记录的顺序调用：发送同样的字节，每次 recv 都等到与当时同样多的字节。\n\
             # 收到的字节原样写到标准输出，其他信息写到标准错误。\n",
            if server { "服务器" } else { "客户端" }
        ),
    }
}

/// The lines before a successful `bind` to a socket file: remove the file
/// if it is there (a stale one, or the recorded session's own).
pub(super) fn unlink_before(lang: Lang, addr: &Addr) -> Option<String> {
    let Addr::Unix(name @ UnixName::Path(_)) = addr else { return None };
    let why = match lang {
        Lang::En => "# A socket file left from before makes bind fail (EADDRINUSE): remove it.",
        Lang::Zh => "# 之前留下的套接字文件会让 bind 失败（EADDRINUSE）：先删除它。",
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "{why}\ntry:\n    os.unlink({})\nexcept FileNotFoundError:\n    pass",
        name.python()
    );
    Some(out)
}

/// The stderr line a student waits for before connecting: the path.
pub(super) fn listening(var: &str) -> String {
    format!("print('listening on %s' % {var}.getsockname(), file=sys.stderr, flush=True)")
}
