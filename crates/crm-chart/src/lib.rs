//! Small SVG charts for customer marketing: the customer pyramid, the
//! migration heatmap, the value waterfall, stacked bars for projections,
//! line charts, histograms, the RFM grid and horizontal bars.
//!
//! Most users want the `crm` facade crate (`crm::chart`), or the finished
//! page of `crm-report`. This crate depends on nothing, so every crate of
//! the toolkit (and any integrator) can draw with it.
//!
//! Every chart is plain data with public fields and a `to_svg` method that
//! writes a standalone SVG document (it can also be inlined in HTML):
//!
//! - **accessible**: `role="img"`, a `<title>` and a `<desc>` referenced by
//!   `aria-labelledby`, text labels on the marks (not only colours), a
//!   tooltip per mark, and the Okabe-Ito colour-blind-safe [`palette`];
//! - **self-contained**: no fonts, scripts, styles or links (the system's
//!   sans-serif font draws the text);
//! - **deterministic**: the same input gives the same bytes (coordinates
//!   with one decimal, no random ids, no time stamps), so tests compare
//!   output exactly; non-finite numbers never make an invalid document.
//!
//! Charts take their text ready-made (counts, money, names in the reader's
//! language); only axis ticks are formatted here, by [`NumberFormat`].
//!
//! ```
//! use crm_chart::{Bar, Bars, Meta};
//!
//! let mut chart = Bars::new(Meta::new("room", "Room to grow", "Growth room per level."));
//! chart.bars.push(Bar::new("Small", 120_000.0, "120k"));
//! chart.bars.push(Bar::new("Medium", 80_000.0, "80k"));
//! let svg = chart.to_svg();
//! assert!(svg.contains("<title id=\"room-title\">Room to grow</title>"));
//! assert_eq!(svg, chart.to_svg());
//! ```
//!
//! # Overview
//!
//! - [`PyramidChart`] with [`PyramidPanel`]s of [`Tier`]s;
//! - [`Heatmap`] of [`HeatCell`]s with a [`Tone`]; [`Grid`] of
//!   [`GridCell`]s in named groups;
//! - [`Waterfall`] of [`WaterfallStep`]s; [`StackedBars`] of [`Stack`]s;
//!   [`Histogram`] of [`Bin`]s; [`Bars`] of [`Bar`]s;
//! - [`LineChart`] of [`Line`]s, with reference lines and [`Mark`]s;
//! - [`Meta`]: id, title and description of every chart.
//!
//! # Why not `plotters`?
//!
//! Its SVG backend writes no `<title>`/`<desc>`, draws text labels as the
//! caller places them, and brings font handling we do not want; the eight
//! charts here are a few hundred lines with exact control of every byte.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod bars;
mod line;
mod matrix;
mod pyramid;
mod svg;

pub use crate::{
    bars::{Bar, Bars, Bin, Histogram, Stack, StackedBars, Waterfall, WaterfallStep},
    line::{Line, LineChart, Mark, Scale},
    matrix::{Grid, GridCell, HeatCell, Heatmap, Tone},
    pyramid::{PyramidChart, PyramidPanel, Tier},
    svg::{Meta, NumberFormat, escape, palette},
};
