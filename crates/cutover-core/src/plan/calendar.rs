//! [`WorkCalendar`]: maps work-day numbers (0, 1, 2, …) to dates, skipping
//! days off. The schedule is computed in work-day numbers, so no scheduled
//! day can ever be a weekend or a holiday.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::spec::Calendar;

/// Dates of consecutive work days from the migration's start.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    calendar: Calendar,
    days: Vec<Date>,
}

impl WorkCalendar {
    /// A calendar whose work day 0 is the first work day on or after `start`.
    pub fn new(calendar: Calendar, start: Date) -> Self {
        let mut this = WorkCalendar {
            calendar,
            days: Vec::new(),
        };
        if let Some(first) = this.next_workday_from(start) {
            this.days.push(first);
        }
        this
    }

    fn next_workday_from(&self, mut date: Date) -> Option<Date> {
        // A week always holds a work day unless the calendar has none; holidays
        // can cover many weeks, so allow a generous but finite search.
        for _ in 0..3_660 {
            if self.calendar.is_workday(date) {
                return Some(date);
            }
            date = date.checked_add(1.day()).ok()?;
        }
        None
    }

    /// Extends the table so that work day `day` has a date.
    pub fn extend_to(&mut self, day: u32) {
        let wanted = day as usize + 1;
        while self.days.len() < wanted {
            let Some(last) = self.days.last().copied() else {
                return;
            };
            let next = last
                .checked_add(1.day())
                .ok()
                .and_then(|d| self.next_workday_from(d));
            match next {
                Some(next) => self.days.push(next),
                None => return,
            }
        }
    }

    /// The date of work day `day`, if it was extended to and exists.
    pub fn date(&self, day: u32) -> Option<Date> {
        self.days.get(day as usize).copied()
    }

    /// Whether a date is worked.
    pub fn is_workday(&self, date: Date) -> bool {
        self.calendar.is_workday(date)
    }
}

/// The date `days` work days before `date` (`date` itself when `days` is
/// 0), for deadlines with a lead time. Gives up on a calendar with no work
/// day in ten years, returning the earliest date it reached.
pub fn work_days_before(calendar: &Calendar, date: Date, days: u32) -> Date {
    let mut current = date;
    let mut left = days;
    for _ in 0..3_660 {
        if left == 0 {
            break;
        }
        let Ok(previous) = current.checked_sub(1.day()) else {
            break;
        };
        current = previous;
        if calendar.is_workday(current) {
            left -= 1;
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn skips_weekends_and_holidays() {
        let mut holidays = std::collections::BTreeSet::new();
        holidays.insert(date(2027, 1, 18));
        let calendar = Calendar {
            holidays,
            ..Calendar::default()
        };
        // 2027-01-02 is a Saturday: day 0 is Monday the 4th.
        let mut work = WorkCalendar::new(calendar, date(2027, 1, 2));
        work.extend_to(15);
        assert_eq!(work.date(0), Some(date(2027, 1, 4)));
        assert_eq!(work.date(5), Some(date(2027, 1, 11)));
        // Friday 15th is day 9; Monday 18th is a holiday.
        assert_eq!(work.date(9), Some(date(2027, 1, 15)));
        assert_eq!(work.date(10), Some(date(2027, 1, 19)));
    }

    #[test]
    fn counts_work_days_back_over_weekends_and_holidays() {
        let mut holidays = std::collections::BTreeSet::new();
        holidays.insert(date(2027, 1, 18));
        let calendar = Calendar {
            holidays,
            ..Calendar::default()
        };
        // Tuesday the 19th, five work days back: 15, 14, 13, 12, 11.
        assert_eq!(
            work_days_before(&calendar, date(2027, 1, 19), 5),
            date(2027, 1, 11)
        );
        assert_eq!(
            work_days_before(&calendar, date(2027, 1, 19), 0),
            date(2027, 1, 19)
        );
    }
}
