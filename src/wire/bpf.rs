//! Classic BPF (the `SO_ATTACH_FILTER` kind), written as instructions with
//! names instead of numbers. A filter runs in the kernel on every frame the
//! interface carries, before anything is copied to us: keeping only the
//! session's ports there is what makes capture cheap beside a busy
//! loopback. libpcap compiles `tcp port 8080` into the same instructions
//! (`tcpdump -d 'tcp port 8080'` prints them), without libpcap.
//!
//! Jumps go to [`Label`]s; [`Program::finish`] turns them into the relative
//! offsets classic BPF wants (forward only, at most 255 instructions away),
//! so a program reads top to bottom like `tcpdump -d` output.

#[cfg(test)]
use std::fmt;

/// Instruction classes and modes (`linux/bpf_common.h`).
pub(crate) mod op {
    pub const LD: u16 = 0x00;
    pub const LDX: u16 = 0x01;
    pub const JMP: u16 = 0x05;
    pub const RET: u16 = 0x06;
    pub const W: u16 = 0x00;
    pub const H: u16 = 0x08;
    pub const B: u16 = 0x10;
    pub const ABS: u16 = 0x20;
    pub const IND: u16 = 0x40;
    pub const MSH: u16 = 0xa0;
    pub const JA: u16 = 0x00;
    pub const JEQ: u16 = 0x10;
    pub const JSET: u16 = 0x40;
    pub const K: u16 = 0x00;
}

/// `SKF_AD_OFF`: loads at this offset and above read what the kernel knows
/// about the frame (its packet type, interface), not the frame's bytes.
const AD_OFF: u32 = 0xffff_f000;

/// What the kernel knows beside a frame's bytes (`SKF_AD_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ancillary {
    /// `PACKET_HOST`, `PACKET_OUTGOING`, ... (`SKF_AD_PKTTYPE`).
    PktType,
    /// The interface's link type, `ARPHRD_*` (`SKF_AD_HATYPE`).
    HaType,
}

impl Ancillary {
    fn offset(self) -> u32 {
        let ad = match self {
            Self::PktType => libc::SKF_AD_PKTTYPE,
            Self::HaType => libc::SKF_AD_HATYPE,
        };
        AD_OFF + ad.unsigned_abs()
    }

    /// The ancillary value a load at `k` reads, if it reads one.
    #[cfg(test)]
    pub(crate) fn at(k: u32) -> Option<Self> {
        [Self::PktType, Self::HaType].into_iter().find(|a| a.offset() == k)
    }

    #[cfg(test)]
    fn name(self) -> &'static str {
        match self {
            Self::PktType => "type",
            Self::HaType => "hatype",
        }
    }
}

/// One instruction as the kernel reads it (`struct sock_filter`).
pub type Insn = libc::sock_filter;

/// A place in a program that jumps can name before it is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label(usize);

/// Where a conditional jump goes: on to the next instruction, or a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    Next,
    L(Label),
}

/// Why a program cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BpfError {
    #[error("a jump goes {0} instructions ahead; classic BPF reaches 255")]
    TooFar(usize),
    #[error("a jump goes to a label that was never placed")]
    Unplaced,
    #[error("a jump goes backwards; classic BPF only jumps ahead")]
    Backwards,
}

/// An instruction whose jump targets may still be labels.
#[derive(Debug, Clone, Copy)]
struct Pending {
    code: u16,
    k: u32,
    jt: To,
    jf: To,
}

/// A program under construction.
#[derive(Debug, Default)]
pub struct Program {
    insns: Vec<Pending>,
    /// Where each label was placed (index of the next instruction).
    labels: Vec<Option<usize>>,
}

impl Program {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A new label, placed later with [`Program::place`].
    pub fn label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() - 1)
    }

    /// The next instruction is where `label` jumps to.
    pub fn place(&mut self, label: Label) {
        if let Some(slot) = self.labels.get_mut(label.0) {
            *slot = Some(self.insns.len());
        }
    }

    fn push(&mut self, code: u16, k: u32) {
        self.insns.push(Pending { code, k, jt: To::Next, jf: To::Next });
    }

    /// `ldh [offset]`: A = the 16-bit big-endian word at `offset`.
    pub fn ldh(&mut self, offset: u32) {
        self.push(op::LD | op::H | op::ABS, offset);
    }

    /// `ldb [offset]`: A = the byte at `offset`.
    pub fn ldb(&mut self, offset: u32) {
        self.push(op::LD | op::B | op::ABS, offset);
    }

    /// `ldh [x + offset]`: A = the 16-bit word at X + `offset`.
    pub fn ldh_x(&mut self, offset: u32) {
        self.push(op::LD | op::H | op::IND, offset);
    }

    /// `ld #what`: A = what the kernel knows about the frame.
    pub fn ld_ancillary(&mut self, what: Ancillary) {
        self.push(op::LD | op::W | op::ABS, what.offset());
    }

    /// `ldxb 4*([offset]&0xf)`: X = the IPv4 header's length, read from its
    /// first byte at `offset` (the one instruction made for this).
    pub fn ldx_ip_header_len(&mut self, offset: u32) {
        self.push(op::LDX | op::B | op::MSH, offset);
    }

    /// `jeq #k`: to `yes` when A == k, else to `no`.
    pub fn jeq(&mut self, k: u32, yes: To, no: To) {
        self.push(op::JMP | op::JEQ | op::K, k);
        self.set_targets(yes, no);
    }

    /// `jset #k`: to `yes` when A & k != 0, else to `no`.
    pub fn jset(&mut self, k: u32, yes: To, no: To) {
        self.push(op::JMP | op::JSET | op::K, k);
        self.set_targets(yes, no);
    }

    /// `ja`: always to `to`.
    #[cfg(test)]
    pub fn ja(&mut self, to: Label) {
        self.push(op::JMP | op::JA, 0);
        self.set_targets(To::L(to), To::Next);
    }

    /// `ret #k`: keep the first `k` bytes of the frame (0 drops it).
    pub fn ret(&mut self, k: u32) {
        self.push(op::RET | op::K, k);
    }

    fn set_targets(&mut self, jt: To, jf: To) {
        if let Some(last) = self.insns.last_mut() {
            last.jt = jt;
            last.jf = jf;
        }
    }

    /// The instructions with every label turned into an offset.
    ///
    /// # Errors
    /// A jump to an unplaced label, backwards, or more than 255 ahead.
    pub fn finish(&self) -> Result<Vec<Insn>, BpfError> {
        let mut out = Vec::with_capacity(self.insns.len());
        for (at, p) in self.insns.iter().enumerate() {
            let offset = |to: To| -> Result<usize, BpfError> {
                let target = match to {
                    To::Next => return Ok(0),
                    To::L(label) => {
                        self.labels.get(label.0).copied().flatten().ok_or(BpfError::Unplaced)?
                    }
                };
                target.checked_sub(at + 1).ok_or(BpfError::Backwards)
            };
            let (jt, jf) = (offset(p.jt)?, offset(p.jf)?);
            let mut insn = Insn { code: p.code, jt: 0, jf: 0, k: p.k };
            if p.code == op::JMP | op::JA {
                insn.k = u32::try_from(jt).map_err(|_| BpfError::TooFar(jt))?;
            } else {
                insn.jt = u8::try_from(jt).map_err(|_| BpfError::TooFar(jt))?;
                insn.jf = u8::try_from(jf).map_err(|_| BpfError::TooFar(jf))?;
            }
            out.push(insn);
        }
        Ok(out)
    }
}

/// A finished program shown as `tcpdump -d` shows one, one line each
/// (the filter's tests compare programs with it).
#[cfg(test)]
pub struct Listing<'a>(pub &'a [Insn]);

#[cfg(test)]
impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, i) in self.0.iter().enumerate() {
            let (jt, jf) = (at + 1 + usize::from(i.jt), at + 1 + usize::from(i.jf));
            let ancillary = Ancillary::at(i.k);
            // tcpdump's columns: the name in 8, a jump's operand in 16.
            let jump =
                |name: &str| format!("{name:<8} {:<16} jt {jt}\tjf {jf}", format!("#{:#x}", i.k));
            let text = match i.code {
                c if c == op::LD | op::H | op::ABS => format!("ldh      [{}]", i.k),
                c if c == op::LD | op::B | op::ABS => format!("ldb      [{}]", i.k),
                c if c == op::LD | op::W | op::ABS => match ancillary {
                    Some(a) => format!("ld       [{}]", a.name()),
                    None => format!("ld       [{}]", i.k),
                },
                c if c == op::LD | op::H | op::IND => format!("ldh      [x + {}]", i.k),
                c if c == op::LDX | op::B | op::MSH => format!("ldxb     4*([{}]&0xf)", i.k),
                c if c == op::JMP | op::JEQ | op::K => jump("jeq"),
                c if c == op::JMP | op::JSET | op::K => jump("jset"),
                c if c == op::JMP | op::JA => format!("ja       {}", at + 1 + i.k as usize),
                c if c == op::RET | op::K => format!("ret      #{}", i.k),
                c => format!("code {c:#06x} k {:#x}", i.k),
            };
            writeln!(f, "({at:03}) {text}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_forward_offsets() {
        let mut p = Program::new();
        let (keep, drop) = (p.label(), p.label());
        p.ldh(12);
        p.jeq(0x800, To::L(keep), To::L(drop));
        p.place(keep);
        p.ret(65_535);
        p.place(drop);
        p.ret(0);
        let insns = p.finish().unwrap();
        assert_eq!((insns[1].jt, insns[1].jf), (0, 1));
        assert_eq!(
            Listing(&insns).to_string(),
            "(000) ldh      [12]\n\
             (001) jeq      #0x800           jt 2\tjf 3\n\
             (002) ret      #65535\n\
             (003) ret      #0\n"
        );
    }

    #[test]
    fn unplaced_and_backward_jumps_are_refused() {
        let mut p = Program::new();
        let never = p.label();
        p.ja(never);
        assert_eq!(p.finish().unwrap_err(), BpfError::Unplaced);
        let mut p = Program::new();
        let back = p.label();
        p.place(back);
        p.ret(0);
        p.ja(back);
        assert_eq!(p.finish().unwrap_err(), BpfError::Backwards);
    }

    #[test]
    fn a_jump_past_255_instructions_is_refused() {
        let mut p = Program::new();
        let far = p.label();
        p.jeq(1, To::L(far), To::Next);
        for _ in 0..300 {
            p.ldb(0);
        }
        p.place(far);
        p.ret(0);
        assert_eq!(p.finish().unwrap_err(), BpfError::TooFar(300));
    }

    #[test]
    fn ancillary_loads_read_past_skf_ad_off() {
        let mut p = Program::new();
        p.ld_ancillary(Ancillary::PktType);
        let insns = p.finish().unwrap();
        // k as `tcpdump -dd inbound` prints it (0xfffff004); libpcap loads a
        // half word (code 0x28), any width reads the same value.
        assert_eq!((insns[0].code, insns[0].k), (0x20, 0xffff_f004));
        assert_eq!(Listing(&insns).to_string(), "(000) ld       [type]\n");
    }
}
