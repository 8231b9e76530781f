"""What every HTTP answer is made with: content negotiation (negotiation, the only module that reads Accept),
responses, the response cache, streamed and kept dumps (dumps) and the OpenAPI description (openapi).
"""
