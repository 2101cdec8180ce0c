"""The action plans: plans, axes, commitments, actions and their dated follow-up."""
