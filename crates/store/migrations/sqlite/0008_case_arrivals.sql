-- Issue #5, staffing forecast: case arrivals per hour are read by opening time.
CREATE INDEX cases_opened_at ON cases (opened_at);
