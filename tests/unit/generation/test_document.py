from tests.unit.generation.helpers import stage_outputs
from toolgym.generation.stages.document import document


def test_one_document_per_sub_question(backend):
    ctx, scenario, documents, *_ = stage_outputs("travel", 4, 0)
    served = [s for d in documents.documents for s in d.serves]
    assert served == [q.id for q in scenario.sub_questions] + ["final"]
    assert document(scenario, ctx, backend) == documents


def test_documents_name_no_entity():
    _, scenario, documents, *_ = stage_outputs("health", 5, 3)
    names = [e.name for kind in scenario.world.values() for e in kind]
    text = documents.model_dump_json()
    assert not any(name in text.replace(scenario.model_dump_json(), "") for name in names)
    for doc in documents.documents:
        assert doc.params[0].required and all(name not in doc.description for name in names)
