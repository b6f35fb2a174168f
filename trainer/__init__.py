"""Trainer tools: the NLU inbox, annotation, evaluation and safe retraining (docs/trainer.md)."""
