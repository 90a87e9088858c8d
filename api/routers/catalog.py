from ninja import Router

router = Router(tags=["Catalog"])
