//! The Lesson pane on ratatui's `TestBackend`, in English and Chinese, at
//! 80×24 and 160×45: chapter 1 with three steps ticked by the events a real
//! engine sends (the calls), a hint asked for, and the chapter done.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{T0, call, draw};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sockpit::app::{App, Clock};
use sockpit::course::{Lesson, find};
use sockpit::lesson::Lang;
use sockpit::net::{Addr, Call, CallRecord, Event, EventKind, Family, Kind, Returned};

fn local() -> Addr {
    Addr::Inet("127.0.0.1:41234".parse().expect("address"))
}

/// `sockpit learn 1` as planned, with the clock stopped.
fn app(lang: Lang) -> App {
    let cli = <sockpit::cli::Cli as clap::Parser>::try_parse_from(["sockpit", "demo", "--step"])
        .expect("demo --step parses");
    let mut app = sockpit::tui::app_from_plan(&cli.plan(), Clock::fixed(T0 + 5_000_000));
    app.set_lang(lang);
    let (number, chapter) = find("1").expect("chapter 1");
    app.open_lesson(Lesson::new(number, chapter));
    app
}

/// Socket, bind and listen on the server's end: three ticks.
fn three_ticks(app: &mut App) {
    let server = [
        call(
            10,
            1,
            "server",
            Call::Socket { family: Family::Inet, kind: Kind::Stream },
            Returned::Socket { fd: 5 },
        ),
        call(20, 1, "server", Call::Bind(local()), Returned::Nothing),
        call(30, 1, "server", Call::Listen(5), Returned::Nothing),
        Event {
            at: T0 + 30_000,
            kind: EventKind::Listening { sock: 1, fd: 5, local: local(), kind: Kind::Stream },
        },
    ];
    for ev in &server {
        app.on_engine(0, ev);
    }
    let alt_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::ALT);
    app.on_key(alt_l);
}

#[test]
fn lesson_pane_english_and_chinese() {
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = app(lang);
        insta::assert_snapshot!(format!("lesson_start_{name}_80x24"), draw(&app, 80, 24));
        three_ticks(&mut app);
        let lesson = app.lesson().expect("a lesson");
        assert_eq!((lesson.done, lesson.hints), (3, 1));
        insta::assert_snapshot!(format!("lesson_{name}_80x24"), draw(&app, 80, 24));
        insta::assert_snapshot!(format!("lesson_{name}_160x45"), draw(&app, 160, 45));
    }
}

#[test]
fn a_wrong_call_does_not_tick() {
    let mut app = app(Lang::En);
    three_ticks(&mut app);
    // recv on the listener: OSError 107, and the accept queue is not touched.
    let err = sockpit::net::CallError::from_errno(libc::ENOTCONN);
    let record =
        CallRecord { sock: 1, var: "server", call: Call::Recv { bufsize: 1024 }, result: Err(err) };
    app.on_engine(0, &Event { at: T0 + 40_000, kind: EventKind::Call(record) });
    assert_eq!(app.lesson().map(|l| l.done), Some(3));
    // The same call on the client's end does not tick a server's step either.
    let accept = call(50, 2, "client", Call::Accept, Returned::Nothing);
    app.on_engine(1, &accept);
    assert_eq!(app.lesson().map(|l| l.done), Some(3));
}

/// `sockpit learn N` as `course::open` plans it (the chapter's own setup
/// line), with the clock stopped and the chapter's lesson open.
fn chapter_app(name: &str, lang: Lang) -> App {
    let (number, chapter) = find(name).expect("the chapter");
    let args = std::iter::once("sockpit").chain(chapter.setup.iter().copied());
    let cli = <sockpit::cli::Cli as clap::Parser>::try_parse_from(args).expect("setup parses");
    let mut app = sockpit::tui::app_from_plan(&cli.plan(), Clock::fixed(T0 + 5_000_000));
    app.set_lang(lang);
    app.open_lesson(Lesson::new(number, chapter));
    app
}

/// Chapters 3 (the backlog), 9 (HTTP by hand, with its curl line) and 10
/// (`AF_UNIX`) at their start with the first hint asked for: English at
/// 80×24, and chapter 9 in Chinese too (its double-width text and the
/// second terminal's command line).
#[test]
fn lesson_pane_chapters_3_9_and_10() {
    let cases = [
        ("3", Lang::En, "en"),
        ("9", Lang::En, "en"),
        ("10", Lang::En, "en"),
        ("9", Lang::Zh, "zh"),
    ];
    for (name, lang, tag) in cases {
        let mut app = chapter_app(name, lang);
        let lesson = app.lesson().expect("a lesson");
        assert_eq!((lesson.done, lesson.hints), (0, 0), "chapter {name} starts untouched");
        app.on_key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::ALT));
        assert_eq!(
            app.lesson().map(|l| l.hints),
            Some(1),
            "Alt-L asks chapter {name}'s first hint"
        );
        insta::assert_snapshot!(format!("lesson_chapter{name}_{tag}_80x24"), draw(&app, 80, 24));
    }
}
