"""Face library (watchlists / 布控): enrolment, matching, the live watchlist observer and its component."""
