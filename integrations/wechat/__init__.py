"""WeChat Official Account customer channel: a Rasa input channel (wechatpy for signatures, XML and AES).

It answers WeChat at once and replies through the customer-service message API from the background.
"""
