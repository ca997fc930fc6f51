//! Which mode changes are legal.
//!
//! Forward (`advance`): one step at a time — legacy → shadow → canary →
//! dagger → retired — or a new percentage while in canary. Skipping a step
//! needs `--force`. Backward (`rollback`): to any earlier mode, except that
//! nothing ever leaves `retired`. A side-effecting component may only enter
//! shadow if its shadow side has a dry-run command.

use super::mode::{Mode, ModeState};

/// Whether a request moves forward or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `cutover advance`.
    Advance,
    /// `cutover rollback`.
    Rollback,
}

/// A requested mode change for one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionRequest {
    /// Forward or back.
    pub direction: Direction,
    /// The mode asked for.
    pub to: Mode,
    /// Canary percentage asked for.
    pub percent: Option<u8>,
    /// `--force` given.
    pub force: bool,
}

/// Why a mode change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Nothing leaves retired.
    #[error(
        "`{component}` is retired: its legacy implementation is gone, so it cannot change mode"
    )]
    Retired {
        /// The component.
        component: String,
    },
    /// Advance must move forward.
    #[error(
        "`{component}` is already in {from}; advance moves forward (use `cutover rollback` to go back)"
    )]
    NotForward {
        /// The component.
        component: String,
        /// Current mode.
        from: Mode,
    },
    /// Rollback must move back.
    #[error("`{component}` is in {from}; rollback moves back to an earlier mode")]
    NotBackward {
        /// The component.
        component: String,
        /// Current mode.
        from: Mode,
    },
    /// A step was skipped without --force.
    #[error("`{component}` cannot skip from {from} to {to}; the next step is {next}")]
    Skip {
        /// The component.
        component: String,
        /// Current mode.
        from: Mode,
        /// Requested mode.
        to: Mode,
        /// The legal next mode.
        next: Mode,
    },
    /// Bad canary percentage.
    #[error("canary percentage must be between 1 and 100, got {0}")]
    Percent(u8),
    /// A percentage given for a mode that has none.
    #[error("--percent only applies to canary, not {0}")]
    PercentOutsideCanary(Mode),
    /// Side effects with no dry run.
    #[error(
        "`{component}` has side effects and no `{side}.shadow_run` dry-run command, so it cannot run in {mode}"
    )]
    SideEffects {
        /// The component.
        component: String,
        /// The side that would run as shadow.
        side: &'static str,
        /// The mode refused.
        mode: Mode,
    },
}

/// Checks a mode change and returns the resulting state.
///
/// `shadow_dry_run` says whether each side has a dry-run command
/// (`[legacy, dagger]`), consulted only when `side_effects` is true.
pub fn check_transition(
    component: &str,
    current: ModeState,
    request: TransitionRequest,
    side_effects: bool,
    shadow_dry_run: [bool; 2],
) -> Result<ModeState, TransitionError> {
    let from = current.mode;
    let to = request.to;
    if from == Mode::Retired {
        return Err(TransitionError::Retired {
            component: component.into(),
        });
    }
    let percent = match (to, request.percent) {
        (Mode::Canary, Some(p)) if p == 0 || p > 100 => return Err(TransitionError::Percent(p)),
        (Mode::Canary, Some(p)) => p,
        (Mode::Canary, None) if from == Mode::Canary => current.canary_percent.max(1),
        (Mode::Canary, None) => 10,
        (other, Some(_)) => return Err(TransitionError::PercentOutsideCanary(other)),
        (_, None) => 0,
    };
    match request.direction {
        Direction::Advance => {
            let same_canary =
                from == Mode::Canary && to == Mode::Canary && percent != current.canary_percent;
            if to <= from && !same_canary {
                return Err(TransitionError::NotForward {
                    component: component.into(),
                    from,
                });
            }
            if let Some(next) = from.next()
                && to > next
                && !request.force
            {
                return Err(TransitionError::Skip {
                    component: component.into(),
                    from,
                    to,
                    next,
                });
            }
        }
        Direction::Rollback => {
            let lower_canary =
                from == Mode::Canary && to == Mode::Canary && percent < current.canary_percent;
            if to >= from && !lower_canary {
                return Err(TransitionError::NotBackward {
                    component: component.into(),
                    from,
                });
            }
        }
    }
    // In shadow the Dagger side shadows; in canary either side may.
    if side_effects {
        let needs: &[(usize, &'static str)] = match to {
            Mode::Shadow => &[(1, "dagger")],
            Mode::Canary => &[(0, "legacy"), (1, "dagger")],
            _ => &[],
        };
        if let Some((_, side)) = needs.iter().find(|(i, _)| !shadow_dry_run[*i]) {
            // In canary a missing dry run just means the other side is skipped;
            // only shadow depends on it entirely.
            if to == Mode::Shadow {
                return Err(TransitionError::SideEffects {
                    component: component.into(),
                    side,
                    mode: to,
                });
            }
        }
    }
    Ok(ModeState {
        mode: to,
        canary_percent: percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(direction: Direction, to: Mode) -> TransitionRequest {
        TransitionRequest {
            direction,
            to,
            percent: None,
            force: false,
        }
    }

    fn state(mode: Mode) -> ModeState {
        ModeState {
            mode,
            canary_percent: if mode == Mode::Canary { 10 } else { 0 },
        }
    }

    #[test]
    fn advances_one_step_at_a_time() {
        let ok = check_transition(
            "c",
            state(Mode::Legacy),
            request(Direction::Advance, Mode::Shadow),
            false,
            [false; 2],
        );
        assert_eq!(ok.map(|s| s.mode), Ok(Mode::Shadow));
        let skip = check_transition(
            "c",
            state(Mode::Legacy),
            request(Direction::Advance, Mode::Dagger),
            false,
            [false; 2],
        );
        assert!(matches!(
            skip,
            Err(TransitionError::Skip {
                next: Mode::Shadow,
                ..
            })
        ));
        let forced = TransitionRequest {
            force: true,
            ..request(Direction::Advance, Mode::Dagger)
        };
        assert!(check_transition("c", state(Mode::Legacy), forced, false, [false; 2]).is_ok());
    }

    #[test]
    fn nothing_leaves_retired() {
        let back = check_transition(
            "c",
            state(Mode::Retired),
            request(Direction::Rollback, Mode::Dagger),
            false,
            [false; 2],
        );
        assert!(matches!(back, Err(TransitionError::Retired { .. })));
    }

    #[test]
    fn canary_percent_can_grow_and_shrink() {
        let grow = TransitionRequest {
            percent: Some(50),
            ..request(Direction::Advance, Mode::Canary)
        };
        assert_eq!(
            check_transition("c", state(Mode::Canary), grow, false, [false; 2])
                .map(|s| s.canary_percent),
            Ok(50)
        );
        let shrink = TransitionRequest {
            percent: Some(5),
            ..request(Direction::Rollback, Mode::Canary)
        };
        assert_eq!(
            check_transition("c", state(Mode::Canary), shrink, false, [false; 2])
                .map(|s| s.canary_percent),
            Ok(5)
        );
        let zero = TransitionRequest {
            percent: Some(0),
            ..request(Direction::Advance, Mode::Canary)
        };
        assert!(check_transition("c", state(Mode::Shadow), zero, false, [false; 2]).is_err());
    }

    #[test]
    fn side_effects_need_a_dry_run_to_shadow() {
        let to_shadow = request(Direction::Advance, Mode::Shadow);
        assert!(matches!(
            check_transition(
                "deploy",
                state(Mode::Legacy),
                to_shadow,
                true,
                [false, false]
            ),
            Err(TransitionError::SideEffects { side: "dagger", .. })
        ));
        assert!(
            check_transition(
                "deploy",
                state(Mode::Legacy),
                to_shadow,
                true,
                [false, true]
            )
            .is_ok()
        );
    }
}
