"""Small format /2 documents shared by the domain's and the engine's tests."""

from __future__ import annotations

from typing import Any

from careapp.domain.careflow import FORMAT_2

FREQUENCY = ["not_at_all", "several_days", "more_than_half", "nearly_every_day"]


def _choice(qid: str, dp: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "single_choice",
        "label": qid,
        "mandatory": True,
        "data_point": dp,
        "options": [{"value": v, "label": v, "score": s} for s, v in enumerate(FREQUENCY)],
    }


def mood_flow() -> dict[str, Any]:
    """A small /2 flow: a scored form, a branch on its band, a timed follow-up, an alert."""
    return {
        "format": FORMAT_2,
        "id": "mood",
        "title": "Mood",
        "data_points": [
            {"key": "discharge_date", "value_type": "date", "baseline": True},
            {"key": "q1", "value_type": "string"},
            {"key": "q2", "value_type": "string"},
            {"key": "score", "value_type": "number"},
            {"key": "band", "value_type": "string"},
            {"key": "pain", "value_type": "number"},
        ],
        "start": [{"to": "ask", "at": {"date": "discharge_date", "offset": "P2D", "time": "09:00"}}],
        "steps": [
            {
                "id": "ask",
                "activities": [
                    {
                        "id": "form",
                        "type": "form",
                        "title": "How are you",
                        "due": "P3D",
                        "form": {
                            "questions": [
                                _choice("q1", "q1"),
                                _choice("q2", "q2"),
                                {
                                    "id": "pain",
                                    "type": "slider",
                                    "label": "Pain",
                                    "min": 0,
                                    "max": 10,
                                    "data_point": "pain",
                                },
                            ]
                        },
                    },
                    {
                        "id": "calc",
                        "type": "calculation",
                        "title": "Score",
                        "calculation": {
                            "data_point": "score",
                            "expression": "sum(score(q1), score(q2))",
                            "bands": {
                                "data_point": "band",
                                "bands": [
                                    {"up_to": 1, "value": "low"},
                                    {"up_to": 4, "value": "mid"},
                                    {"value": "high"},
                                ],
                            },
                        },
                    },
                ],
                "transitions": [
                    {
                        "to": "review",
                        "when": {
                            "any": [
                                {"data_point": "band", "op": "equals", "value": "high"},
                                {"data_point": "pain", "op": "at_least", "value": 8},
                            ]
                        },
                    },
                    {
                        "to": "ask",
                        "wait": "P7D",
                        "when": {"data_point": "score", "op": "greater_than", "value": 0},
                    },
                ],
            },
            {
                "id": "review",
                "activities": [
                    {
                        "id": "call",
                        "type": "message",
                        "stakeholder": "clinician",
                        "title": "Call",
                        "body": "Call the patient",
                    }
                ],
                "transitions": [],
            },
        ],
        "alerts": [
            {
                "id": "q2-high",
                "level": "urgent",
                "text": "Item 2 high",
                "when": {"data_point": "q2", "op": "equals", "value": "nearly_every_day"},
            }
        ],
    }
