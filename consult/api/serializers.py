from __future__ import annotations

from rest_framework import serializers

from consult.models import ConsultationPage, Option, Question


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "label", "description", "cost"]


class QuestionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "title",
            "description",
            "method",
            "min_choices",
            "max_choices",
            "max_score",
            "budget",
            "options",
        ]


class ConsultationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=["upcoming", "proposals", "voting", "closed"], read_only=True
    )

    class Meta:
        model = ConsultationPage
        fields = [
            "id",
            "title",
            "url",
            "status",
            "proposals_open_at",
            "proposals_close_at",
            "voting_open_at",
            "voting_close_at",
            "results_visibility",
            "ballot_secrecy",
            "allow_vote_change",
            "comments_enabled",
        ]

    def get_url(self, page: ConsultationPage) -> str:
        request = self.context.get("request")
        return page.get_full_url(request) or ""


class ConsultationDetailSerializer(ConsultationSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(ConsultationSerializer.Meta):
        fields = [*ConsultationSerializer.Meta.fields, "questions"]


class ResultEntrySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    votes = serializers.IntegerField()
    sum = serializers.IntegerField(required=False, help_text="score: sum of the scores")
    count = serializers.IntegerField(required=False, help_text="score: ballots scoring it")
    mean = serializers.FloatField(required=False, allow_null=True, help_text="score: mean")
    cost = serializers.IntegerField(required=False, help_text="budget: the option's cost")
    funded = serializers.BooleanField(required=False, help_text="budget: funded by the rule")


class RoundSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    eliminated = serializers.CharField(allow_null=True)
    exhausted = serializers.IntegerField()


class TallySerializer(serializers.Serializer):
    """Documents the tally wire format of ``consult.voting.tally``."""

    question = serializers.IntegerField()
    method = serializers.CharField()
    version = serializers.IntegerField()
    ballots = serializers.IntegerField()
    results = ResultEntrySerializer(many=True)
    rounds = RoundSerializer(many=True, required=False, help_text="ranked: instant-runoff rounds")
    winner = serializers.CharField(required=False, allow_null=True, help_text="ranked: winner")


class OwnBallotSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    method = serializers.CharField()
    ballot = serializers.DictField(
        allow_null=True,
        help_text="The ballot as stored; null for secret ballots, which nobody can read back.",
    )
    receipt = serializers.CharField(
        help_text="The voter's receipt for this question, the same for every ballot they cast "
        "on it: look it up in the question's public log by its sha256 (receipts/{receipt}/)."
    )


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
