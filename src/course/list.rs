//! `sockpit learn` without a chapter: the chapters with the student's
//! progress, as text for stdout.

use super::chapters::ALL;
use super::progress::Progress;
use crate::lesson::Lang;

/// The chapter list: number, name, title, and how far the student got.
#[must_use]
pub fn render(progress: &Progress, lang: Lang) -> String {
    let mut out = String::from(match lang {
        Lang::En => "Chapters (sockpit learn N, or its name; --lang zh for Chinese):\n",
        Lang::Zh => "章节（sockpit learn N 或章节名；--lang en 为英文）：\n",
    });
    for chapter in ALL {
        let p = progress.of(chapter.slug);
        let steps = chapter.steps.len();
        let mark = if p.finished {
            match lang {
                Lang::En => "done".to_string(),
                Lang::Zh => "完成".to_string(),
            }
        } else {
            format!("{}/{steps}", p.best.min(steps))
        };
        out.push_str(&format!(
            "{:>3}  {:<12} {:<6} {}\n",
            chapter.number,
            chapter.slug,
            mark,
            chapter.title.get(lang)
        ));
    }
    out
}
