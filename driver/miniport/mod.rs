//! The e1000 miniport: adapter, lifecycle, datapath and OIDs (see `DESIGN.md`).

pub mod oid;
