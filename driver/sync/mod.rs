//! The safe spin-lock layer.
