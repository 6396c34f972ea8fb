def test_consultation_fixture(consultation):
    assert consultation.status == "voting"
    assert consultation.questions.count() == 2
