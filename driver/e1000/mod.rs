//! The Intel 8254x hardware interface.
