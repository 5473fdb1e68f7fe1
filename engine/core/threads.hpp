#pragma once
// How many worker threads a run uses. Results never depend on it (every random draw is keyed
// by person or area and year, never by thread), so asking for more threads than the machine has
// gains nothing; TBB, given an arena of tens of thousands of slots, crashes tearing it down.

namespace socialtwin {

// The machine's threads (as TBB sees them: the CPUs this process may use), at least 1.
int available_threads() noexcept;

// `requested` (0 or less = all the machine has), but never more than the machine has.
int worker_threads(int requested) noexcept;

}  // namespace socialtwin
