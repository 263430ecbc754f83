def test_another_drug_is_found_by_its_words_not_a_pattern():
    from assistant.answer.compose import DrugNameIndex

    names_another_drug = DrugNameIndex({"tizanidine", "insulin glargine"}).names_other
    assert names_another_drug("Start Tizanidine at 2 mg three times daily.")
    assert names_another_drug("Tizanidines are titrated weekly.")
    assert names_another_drug("Insulin glargine 10 units at night.")
    assert not names_another_drug("Baclofen 5 mg three times daily.")
    assert not names_another_drug("Insulin doses vary.")  # one word of a two-word name is not the name
    index = DrugNameIndex({"tizanidine", "insulin glargine"})
    assert not index.names_other("Tizanidine 2 mg at night.", "tizanidine")  # the subject is not another drug
    assert not index.names_other("Insulin glargine 10 units.", "insulin glargine")
    assert index.names_other("Insulin glargine with tizanidine.", "tizanidine")
