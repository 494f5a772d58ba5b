"""From hits to an answer: the answer sentence (answer, pick, sentvec; table rows: tablerows), header
questions (header), confidence and abstention (confidence, abstain, topic), follow-ups (followup),
rendering (render), and the shared respond pipeline (respond).
"""
