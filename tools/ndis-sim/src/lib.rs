//! ndis-sim: a user-mode NDIS and Ke.
pub mod sys {}
