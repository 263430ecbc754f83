def test_another_drug_is_found_by_its_words_not_a_pattern():
    from assistant.answer.compose import names_another_drug

    others = frozenset({"tizanidine", "insulin glargine"})
    assert names_another_drug("Start Tizanidine at 2 mg three times daily.", others)
    assert names_another_drug("Tizanidines are titrated weekly.", others)
    assert names_another_drug("Insulin glargine 10 units at night.", others)
    assert not names_another_drug("Baclofen 5 mg three times daily.", others)
    assert not names_another_drug("Insulin doses vary.", others)  # one word of a two-word name is not the name
