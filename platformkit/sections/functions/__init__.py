"""Edge Functions: list, deploy (a folder of files, followed to ACTIVE), code view, settings,
delete, and a test invocation."""

from platformkit.core.sections import OperationKind, Section

SECTION = Section(
    key="functions",
    label="Functions",
    url_name="platformkit:functions",
    actions=("functions.deploy", "functions.delete", "functions.invoke"),
    operation_titles={
        "functions.deploy": OperationKind(
            "Deploy function {slug} on {target}",
            "Function {slug} is deployed on {target}.",
            "function",
            ("slug",),
            "Open function {slug}",
        )
    },
)
