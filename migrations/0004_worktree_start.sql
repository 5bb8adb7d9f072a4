-- The commit a worktree's branch was at when Flotilla checked it out: a branch whose work is all
-- in its base is "merged" only if it moved since (a fresh, untouched branch is not).
ALTER TABLE worktrees ADD COLUMN start_commit TEXT;
