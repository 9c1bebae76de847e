"""An OpenAI-compatible HTTP server for runs and models (`finetune-studio serve`): server.py loads and runs it,
openai_api.py is the API (FastAPI), engine.py the queue that batches requests into chat's generate. The only core
package that imports the web stack (FastAPI, Starlette, uvicorn): an import-linter contract holds it."""
