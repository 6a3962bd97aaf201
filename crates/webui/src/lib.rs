#![doc = include_str!("../README.md")]

pub mod charts;
pub mod i18n;
pub mod layout;
pub mod pages;

pub use i18n::{visitor_language, Language, Tr};
pub use layout::{page, Section, SignedIn, Viewer};
pub use maud::Markup;

/// The stylesheet and the script, embedded in the binary (no CDN, no build step).
pub mod assets {
    pub const STYLE_PATH: &str = "/static/app.css";
    pub const SCRIPT_PATH: &str = "/static/app.js";
    pub const STYLE: &str = include_str!("../assets/app.css");
    pub const SCRIPT: &str = include_str!("../assets/app.js");
}
