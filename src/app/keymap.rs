//! The one keymap table. It drives key dispatch, the help overlay and the
//! README's key list, so the three can never disagree; new features add
//! their rows here. A test fails when two rows bind one key in one focus.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

/// Which pane has the keyboard; a row bound in `Any` works everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Any,
    Input,
    History,
    Lifecycle,
    /// The Socket pane: its list of connections or UDP peers.
    Socket,
    /// The Wire pane: the captured segments.
    Wire,
    /// `sockpit replay FILE`: a recorded session, read-only.
    Replay,
}

impl Focus {
    /// Whether rows of these two foci can both see one key press.
    #[cfg(test)]
    fn overlaps(self, other: Self) -> bool {
        self == other || self == Self::Any || other == Self::Any
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Help,
    Quit,
    /// Ctrl-C: interrupts the focused end's blocking step call, else quits.
    Interrupt,
    CloseOverlay,
    NextPane,
    PrevPane,
    /// Ctrl-D: `shutdown(SHUT_WR)` on an empty input, else delete forward.
    HalfClose,
    Submit,
    RecallPrev,
    RecallNext,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    SwitchEnd,
    CycleEol,
    Reconnect,
    ToggleMouse,
    /// Tab in the input: complete a `/command`, else the next pane.
    Complete,
    /// F7: step mode on/off for the focused end.
    StepMode,
    /// F8: make the call the timeline suggests.
    NextCall,
    /// Alt-R: restart the focused end's session fresh, in step mode (in
    /// `sockpit learn`, every end's, and the chapter from its first step).
    ResetLesson,
    /// Alt-L: the next hint of the lesson's current step.
    Hint,
    HoldAccept,
    HoldReads,
    /// Relay: hold or release client → server / server → client.
    HoldUp,
    HoldDown,
    /// Relay: forward the first held chunk, all of them; drop the first.
    ForwardOne,
    ForwardAll,
    DropOne,
    /// Relay: the first held chunk into the input to edit, as text / hex.
    EditHeld,
    EditHeldHex,
    /// Enter in the history: open the inspector on the selected entry.
    Inspect,
    /// Alt-V: the history shows text, hex, or both.
    CycleView,
    /// F3: search the history (again: the next hit).
    Search,
    SearchNext,
    SearchPrev,
    /// Alt-C / Alt-X: copy the selection as text / hex (OSC 52).
    CopyText,
    CopyHex,
    /// F5: send the selected entry's bytes again.
    Resend,
    /// F9: save the session so far as pcapng.
    SavePcap,
    /// F10: export the session as a runnable Python script.
    ExportPy,
    /// Alt-W: the Wire pane in place of the history and socket panel.
    ToggleWire,
    /// In the Wire pane: relative or absolute sequence numbers.
    ToggleAbsolute,
    /// `sockpit replay`: one recorded event forward / back, to the first
    /// / the last.
    ReplayForward,
    ReplayBack,
    ReplayFirst,
    ReplayLast,
    Edit(InputRequest),
}

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(code: KeyCode) -> Key {
    Key { code, mods: KeyModifiers::NONE }
}
const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), mods: KeyModifiers::CONTROL }
}
const fn alt(c: char) -> Key {
    Key { code: KeyCode::Char(c), mods: KeyModifiers::ALT }
}
const fn with(code: KeyCode, mods: KeyModifiers) -> Key {
    Key { code, mods }
}

/// One row of the table: keys, where they work, what they do, how help says it.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub focus: Focus,
    pub action: Action,
    /// The key column of the help (`F1 / ?`).
    pub label: &'static str,
    pub help: &'static str,
}

const fn row(
    keys: &'static [Key],
    focus: Focus,
    action: Action,
    label: &'static str,
    help: &'static str,
) -> Binding {
    Binding { keys, focus, action, label, help }
}

use Action as A;
use Focus as F;
use InputRequest as R;
use KeyCode as C;

/// Every key sockpit knows, in help order.
pub const KEYMAP: &[Binding] = &[
    row(&[k(C::F(1))], F::Any, A::Help, "F1", "help (this screen)"),
    row(&[k(C::Char('?'))], F::History, A::Help, "?", "help"),
    row(&[k(C::Char('?'))], F::Lifecycle, A::Help, "?", "help"),
    row(&[k(C::Char('?'))], F::Socket, A::Help, "?", "help"),
    row(&[k(C::Char('?'))], F::Wire, A::Help, "?", "help"),
    row(&[ctrl('q')], F::Any, A::Quit, "Ctrl-Q", "quit"),
    row(&[ctrl('c')], F::Any, A::Interrupt, "Ctrl-C", "interrupt a blocking call, else quit"),
    row(&[k(C::Esc)], F::Any, A::CloseOverlay, "Esc", "close help / inspector / search"),
    row(&[k(C::Tab)], F::Input, A::Complete, "Tab", "complete /command, else next pane"),
    row(&[k(C::Tab)], F::History, A::NextPane, "Tab", "next pane"),
    row(&[k(C::Tab)], F::Lifecycle, A::NextPane, "Tab", "next pane"),
    row(&[k(C::Tab)], F::Socket, A::NextPane, "Tab", "next pane"),
    row(&[k(C::Tab)], F::Wire, A::NextPane, "Tab", "next pane"),
    row(
        &[k(C::BackTab), with(C::BackTab, KeyModifiers::SHIFT)],
        F::Any,
        A::PrevPane,
        "Shift-Tab",
        "previous pane",
    ),
    row(&[k(C::Enter)], F::Input, A::Submit, "Enter", "send line + EOL; /command"),
    row(&[ctrl('d')], F::Input, A::HalfClose, "Ctrl-D", "empty: shutdown(SHUT_WR)"),
    row(&[k(C::Up)], F::Input, A::RecallPrev, "Up", "earlier sent line"),
    row(&[k(C::Down)], F::Input, A::RecallNext, "Down", "later sent line"),
    row(&[k(C::Up)], F::History, A::Up, "Up", "select entry above"),
    row(&[k(C::Down)], F::History, A::Down, "Down", "select entry below"),
    row(&[k(C::Up)], F::Lifecycle, A::Up, "Up", "select entry above: explains it"),
    row(&[k(C::Down)], F::Lifecycle, A::Down, "Down", "select entry below"),
    row(&[k(C::Up)], F::Socket, A::Up, "Up", "select the row above: input goes there"),
    row(&[k(C::Down)], F::Socket, A::Down, "Down", "select the row below"),
    row(&[k(C::End)], F::Socket, A::Bottom, "End", "follow the newest / last sender"),
    row(&[k(C::Up)], F::Wire, A::Up, "Up", "select the segment above: headers, hex, its call"),
    row(&[k(C::Down)], F::Wire, A::Down, "Down", "select the segment below"),
    row(&[k(C::Home)], F::Wire, A::Top, "Home", "first segment"),
    row(&[k(C::End)], F::Wire, A::Bottom, "End", "newest segment, follow"),
    row(&[k(C::Char('a'))], F::Wire, A::ToggleAbsolute, "a", "relative / absolute seq and ack"),
    row(&[k(C::Right)], F::Replay, A::ReplayForward, "Right", "the next recorded event"),
    row(&[k(C::Left)], F::Replay, A::ReplayBack, "Left", "back one recorded event"),
    row(&[k(C::Home)], F::Replay, A::ReplayFirst, "Home", "back to the start"),
    row(&[k(C::End)], F::Replay, A::ReplayLast, "End", "the whole recording"),
    row(&[k(C::PageUp)], F::Any, A::PageUp, "PgUp", "page up"),
    row(&[k(C::PageDown)], F::Any, A::PageDown, "PgDn", "page down"),
    row(&[k(C::Home)], F::History, A::Top, "Home", "oldest entry"),
    row(&[k(C::End)], F::History, A::Bottom, "End", "newest entry, follow"),
    row(&[k(C::Home)], F::Lifecycle, A::Top, "Home", "first call"),
    row(&[k(C::End)], F::Lifecycle, A::Bottom, "End", "newest call, follow"),
    row(&[k(C::F(2))], F::Any, A::SwitchEnd, "F2", "switch end (demo)"),
    row(&[k(C::F(4))], F::Any, A::CycleEol, "F4", "EOL: LF, CRLF, none"),
    row(&[k(C::F(6))], F::Any, A::Reconnect, "F6", "reconnect (client)"),
    row(&[k(C::Enter)], F::History, A::Inspect, "Enter", "inspect the entry's bytes"),
    row(&[k(C::Char('n'))], F::History, A::SearchNext, "n", "next search hit"),
    row(&[k(C::Char('N'))], F::History, A::SearchPrev, "N", "previous search hit"),
    row(&[k(C::F(3))], F::Any, A::Search, "F3", "search history (x:0d 0a: bytes)"),
    row(&[k(C::F(5))], F::Any, A::Resend, "F5", "resend the selected entry"),
    row(&[k(C::F(9))], F::Any, A::SavePcap, "F9", "save a pcapng of the session"),
    row(&[k(C::F(10))], F::Any, A::ExportPy, "F10", "export the session as a Python script"),
    row(&[alt('v')], F::Any, A::CycleView, "Alt-V", "history as text / hex / both"),
    row(&[alt('w')], F::Any, A::ToggleWire, "Alt-W", "Wire pane (the segments) on/off"),
    row(&[alt('c')], F::Any, A::CopyText, "Alt-C", "copy selection as text"),
    row(&[alt('x')], F::Any, A::CopyHex, "Alt-X", "copy selection as hex"),
    row(&[k(C::F(7))], F::Any, A::StepMode, "F7", "step mode on/off"),
    row(&[k(C::F(8))], F::Any, A::NextCall, "F8", "make the suggested next call"),
    row(&[alt('r')], F::Any, A::ResetLesson, "Alt-R", "reset the lesson (step)"),
    row(&[alt('l')], F::Any, A::Hint, "Alt-L", "lesson: the next hint (sockpit learn)"),
    row(&[alt('a')], F::Any, A::HoldAccept, "Alt-A", "hold accept on/off"),
    row(&[alt('h')], F::Any, A::HoldReads, "Alt-H", "hold reads on/off"),
    row(&[alt('u')], F::Any, A::HoldUp, "Alt-U", "relay: hold client → server on/off"),
    row(&[alt('d')], F::Any, A::HoldDown, "Alt-D", "relay: hold server → client on/off"),
    row(&[alt('n')], F::Any, A::ForwardOne, "Alt-N", "relay: forward the first held chunk"),
    row(&[alt('g')], F::Any, A::ForwardAll, "Alt-G", "relay: forward every held chunk"),
    row(&[alt('k')], F::Any, A::DropOne, "Alt-K", "relay: drop the first held chunk"),
    row(&[alt('e')], F::Any, A::EditHeld, "Alt-E", "relay: edit the held chunk as text"),
    row(&[alt('j')], F::Any, A::EditHeldHex, "Alt-J", "relay: edit the held chunk as hex"),
    row(&[k(C::F(12))], F::Any, A::ToggleMouse, "F12", "mouse on/off (copy text)"),
    row(
        &[ctrl('a'), k(C::Home)],
        F::Input,
        A::Edit(R::GoToStart),
        "Ctrl-A / Home",
        "start of line",
    ),
    row(&[ctrl('e'), k(C::End)], F::Input, A::Edit(R::GoToEnd), "Ctrl-E / End", "end of line"),
    row(&[k(C::Left), ctrl('b')], F::Input, A::Edit(R::GoToPrevChar), "Left", "back a character"),
    row(
        &[k(C::Right), ctrl('f')],
        F::Input,
        A::Edit(R::GoToNextChar),
        "Right",
        "forward a character",
    ),
    row(
        &[alt('b'), with(C::Left, KeyModifiers::CONTROL)],
        F::Input,
        A::Edit(R::GoToPrevWord),
        "Alt-B",
        "back a word",
    ),
    row(
        &[alt('f'), with(C::Right, KeyModifiers::CONTROL)],
        F::Input,
        A::Edit(R::GoToNextWord),
        "Alt-F",
        "forward a word",
    ),
    row(
        &[k(C::Backspace), ctrl('h')],
        F::Input,
        A::Edit(R::DeletePrevChar),
        "Backspace",
        "delete back",
    ),
    row(&[k(C::Delete)], F::Input, A::Edit(R::DeleteNextChar), "Delete", "delete forward"),
    row(
        &[ctrl('w'), with(C::Backspace, KeyModifiers::ALT)],
        F::Input,
        A::Edit(R::DeletePrevWord),
        "Ctrl-W",
        "delete word before",
    ),
    row(&[ctrl('u')], F::Input, A::Edit(R::DeleteLine), "Ctrl-U", "delete the line"),
    row(&[ctrl('k')], F::Input, A::Edit(R::DeleteTillEnd), "Ctrl-K", "delete to the end"),
    row(&[ctrl('y')], F::Input, A::Edit(R::Yank), "Ctrl-Y", "paste what was cut"),
];

/// The action bound to a key in a focus: a row of that focus wins over `Any`.
#[must_use]
pub fn lookup(focus: Focus, key: &KeyEvent) -> Option<Action> {
    // Terminals report Shift with upper-case letters and some symbols; a
    // binding without Shift still matches them.
    let mods = key.modifiers - KeyModifiers::SHIFT;
    let wanted = |b: &&Binding| {
        b.keys.iter().any(|kk| kk.code == key.code && (kk.mods == key.modifiers || kk.mods == mods))
    };
    KEYMAP
        .iter()
        .filter(|b| b.focus == focus)
        .find(wanted)
        .or_else(|| KEYMAP.iter().filter(|b| b.focus == F::Any).find(wanted))
        .map(|b| b.action)
}

/// Help sections in order, with their headings.
pub const SECTIONS: [(Focus, &str); 7] = [
    (Focus::Any, "Anywhere"),
    (Focus::Input, "Input"),
    (Focus::History, "History"),
    (Focus::Lifecycle, "Lifecycle"),
    (Focus::Socket, "Socket list"),
    (Focus::Wire, "Wire"),
    (Focus::Replay, "Replay"),
];

/// The rows of one help section: (key, what it does).
#[must_use]
pub fn section(focus: Focus) -> Vec<(&'static str, &'static str)> {
    KEYMAP.iter().filter(|b| b.focus == focus).map(|b| (b.label, b.help)).collect()
}

/// The key list as a Markdown table, for the README.
#[must_use]
pub fn markdown() -> String {
    let mut md = String::from("| key | where | does |\n|---|---|---|\n");
    for (focus, heading) in SECTIONS {
        for (key, help) in section(focus) {
            md.push_str(&format!("| {key} | {} | {help} |\n", heading.to_lowercase()));
        }
    }
    md.push_str(
        "| mouse wheel / click | history, lifecycle, socket list | scroll / select an entry |\n",
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_focus() {
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                if !a.focus.overlaps(b.focus) {
                    continue;
                }
                for key in a.keys {
                    assert!(
                        !b.keys.contains(key),
                        "{key:?} is bound to both {:?} and {:?} in {:?}/{:?}",
                        a.action,
                        b.action,
                        a.focus,
                        b.focus
                    );
                }
            }
        }
    }

    #[test]
    fn focus_rows_win_over_any() {
        let up = KeyEvent::new(KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(lookup(Focus::Input, &up), Some(Action::RecallPrev));
        assert_eq!(lookup(Focus::History, &up), Some(Action::Up));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Focus::History, &q), Some(Action::Quit));
        let plain = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Focus::Input, &plain), None, "typing is never a command");
        let back = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(lookup(Focus::Input, &back), Some(Action::PrevPane));
    }

    #[test]
    fn markdown_lists_every_row() {
        let md = markdown();
        for b in KEYMAP {
            assert!(md.contains(b.label), "{} missing", b.label);
        }
    }
}
