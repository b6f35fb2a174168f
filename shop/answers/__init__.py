"""The assistant's read-only answers, over plain values (no Rasa).

A question (:class:`~shop.answers.asked.Asked`) and the shop's data in, the
responses to send (name, variables) out. The actions send them; the agent
console offers them as suggested replies (``console/suggestions.py``), so both
give the same answer.
"""
