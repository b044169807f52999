//! TCP states as the kernel numbers them (`include/net/tcp_states.h`), shared
//! by `TCP_INFO` samples and `NETLINK_SOCK_DIAG` dumps.

use std::fmt;

/// One TCP state. `Other` keeps a number this build does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TcpState {
    Established,
    SynSent,
    SynRecv,
    FinWait1,
    FinWait2,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    Closing,
    /// A connection request still in the handshake (shown as `SYN_RECV` by ss).
    NewSynRecv,
    Other(u8),
}

impl TcpState {
    /// From the kernel's number.
    #[must_use]
    pub fn from_kernel(n: u8) -> Self {
        match n {
            1 => Self::Established,
            2 => Self::SynSent,
            3 => Self::SynRecv,
            4 => Self::FinWait1,
            5 => Self::FinWait2,
            6 => Self::TimeWait,
            7 => Self::Close,
            8 => Self::CloseWait,
            9 => Self::LastAck,
            10 => Self::Listen,
            11 => Self::Closing,
            12 => Self::NewSynRecv,
            other => Self::Other(other),
        }
    }

    /// The name netstat and the RFC use: `ESTABLISHED`, `TIME_WAIT`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Established => "ESTABLISHED",
            Self::SynSent => "SYN_SENT",
            Self::SynRecv | Self::NewSynRecv => "SYN_RECV",
            Self::FinWait1 => "FIN_WAIT1",
            Self::FinWait2 => "FIN_WAIT2",
            Self::TimeWait => "TIME_WAIT",
            Self::Close => "CLOSE",
            Self::CloseWait => "CLOSE_WAIT",
            Self::LastAck => "LAST_ACK",
            Self::Listen => "LISTEN",
            Self::Closing => "CLOSING",
            Self::Other(_) => "UNKNOWN",
        }
    }

    /// The name `ss` prints: `ESTAB`, `TIME-WAIT`.
    #[must_use]
    pub fn ss_name(self) -> &'static str {
        match self {
            Self::Established => "ESTAB",
            Self::SynSent => "SYN-SENT",
            Self::SynRecv | Self::NewSynRecv => "SYN-RECV",
            Self::FinWait1 => "FIN-WAIT-1",
            Self::FinWait2 => "FIN-WAIT-2",
            Self::TimeWait => "TIME-WAIT",
            Self::Close => "UNCONN",
            Self::CloseWait => "CLOSE-WAIT",
            Self::LastAck => "LAST-ACK",
            Self::Listen => "LISTEN",
            Self::Closing => "CLOSING",
            Self::Other(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_numbers_round_trip_to_names() {
        assert_eq!(TcpState::from_kernel(1).name(), "ESTABLISHED");
        assert_eq!(TcpState::from_kernel(6).ss_name(), "TIME-WAIT");
        assert_eq!(TcpState::from_kernel(8).to_string(), "CLOSE_WAIT");
        assert_eq!(TcpState::from_kernel(12).name(), "SYN_RECV");
        assert_eq!(TcpState::from_kernel(99), TcpState::Other(99));
    }
}
